import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireSync

/// A `taskwire` host of a run, driven through the client library's `TaskwireConnection`.
///
/// Setup goes through ``call(_:_:)`` and ``initialize(token:)``, parsed in full by the connection. Timed traffic
/// bypasses all that: requests are pre-built bytes written with ``send(_:)``, straight from the calling thread when
/// nothing is queued and the pipe has room; replies and notifications are seen raw, on the connection's reading
/// thread, by the observer a phase installs with ``observe(_:)``, each stamped with the monotonic clock as it
/// arrives.
///
/// The host's stderr (its log) is collected by the `ChildProcess`; errors about a host end with its last lines.
/// The child is killed when the value goes away while it still runs.
final class BenchHost: Sendable {
    /// Sees one raw line of the host's stdout on its reading thread, with the ``MonotonicClock`` reading taken as
    /// it arrived; returns true when it consumed the line (a timed reply or event), false to let the connection
    /// handle it (setup replies, notifications the phase does not measure).
    typealias Observer = @Sendable (_ line: UnsafeRawBufferPointer, _ arrival: UInt64) -> Bool

    /// How often a thread waiting for a host's lines checks that the host is still there (nanoseconds): observers
    /// are not told when a host's output ends, so a host that dies mid-phase is noticed on the next check.
    static let checkInterval: UInt64 = 100_000_000

    let connection: TaskwireConnection

    /// Starts `binary ARGUMENTS` with this process's environment minus `TASKWIRE_*`, so that nothing outside the
    /// benchmark configures its hosts.
    init(binary: String, arguments: [String]) throws(BenchError) {
        do {
            connection = try TaskwireConnection(
                executable: binary,
                arguments: arguments,
                inherit: { !$0.hasPrefix("TASKWIRE_") }
            )
        } catch {
            throw BenchError("cannot start \(binary): \(error)")
        }
    }

    var process: ChildProcess { connection.process }
    var pid: Int32 { process.pid }
    /// Whether the host has closed its stdout (it exited, or was killed).
    var isClosed: Bool { connection.isClosed }

    /// Writes `bytes` to the host's stdin: inline when the pipe has room, else through the process's writer thread.
    func send(_ bytes: [UInt8]) {
        process.send(bytes)
    }

    /// Installs the observer of a timed phase, or with nil removes it. It runs on the connection's reading thread
    /// with each line and its arrival time, before any parse; true consumes the line.
    func observe(_ observer: Observer?) {
        connection.observeLines(observer)
    }

    /// Opens the session as the owner of `token` (and takes the `relay.status` that follows).
    func initialize(token: String) throws(BenchError) {
        do {
            try connection.initialize(token: token, clientName: "taskwire-bench")
        } catch {
            throw failure("initialize failed: \(error)")
        }
    }

    /// Sends one request for untimed setup and returns its result, parsed in full.
    ///
    /// - Important: Not while an observer is installed: it could take the reply for a timed one (both use small
    ///   integer ids).
    @discardableResult
    func call(_ method: String, _ params: JSONObject = [:]) throws(BenchError) -> JSON {
        do {
            return try connection.call(method, params, timeout: .seconds(30))
        } catch {
            throw failure("\(method) failed: \(error)")
        }
    }

    /// An error about this host: `text`, how it ended if it did, and the last lines of its stderr.
    func failure(_ text: String) -> BenchError {
        if isClosed {
            // Its stdout has ended: let it be reaped and its stderr be read to the end, so that both can be told.
            _ = process.waitForTermination(timeout: .seconds(2))
            process.waitForOutputEnd(timeout: .seconds(1))
        }
        var description = "\(text) (host pid \(pid)"
        if let termination = process.termination { description += ", \(termination)" }
        description += ")"
        let tail = process.stderrTail(lines: 20)
        if !tail.isEmpty {
            description += "; the end of its stderr:"
            for line in tail.split(separator: "\n", omittingEmptySubsequences: false) { description += "\n    " + line }
        }
        return BenchError(description)
    }

    /// Closes the host's stdin: it then leaves its rooms and exits.
    func closeInput() {
        process.closeStdin()
    }

    /// Waits until the host has exited, killing it after `timeout`; true when it exited by itself.
    @discardableResult
    func finish(timeout: Duration = .seconds(5)) -> Bool {
        process.closeStdin()
        if process.waitForExit(timeout: timeout) != nil { return true }
        process.kill()
        return false
    }

    /// `VmRSS` and `VmHWM` (peak) of the host, in KiB.
    func memory() -> (resident: Int, peak: Int)? {
        process.memory()
    }

    /// The CPU time the host has used so far (user and system, from `/proc/PID/stat`), in seconds.
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Closes the stdin of every host, then waits for all of them (killing those that hang).
func finishAll(_ hosts: [BenchHost]) {
    for host in hosts { host.closeInput() }
    for host in hosts { host.finish() }
}

/// Times requests written one at a time to one host: from just before the request is written to the moment its
/// response is seen on the host's reading thread, which wakes the driving thread.
///
/// - Important: No ``BenchHost/call(_:_:)`` to the host while the timer is installed; ``finish()`` removes it.
final class RequestTimer: Sendable {
    struct Response: Sendable {
        var id: Int64
        /// When the response was seen (``MonotonicClock``).
        var arrival: UInt64
        /// The whole line of an error response.
        var errorLine: String?
    }

    private let host: BenchHost
    private let classifier = LineClassifier()
    private let latest = PhaseState<Response?>(nil)
    /// No response is waited for after this.
    private let deadline: UInt64

    /// Installs the timer's observer on `host`; the timer gives up after `seconds`.
    init(host: BenchHost, seconds: Double) {
        self.host = host
        deadline = MonotonicClock.deadline(afterSeconds: seconds)
        host.observe { [classifier, latest] line, arrival in
            guard case .response(let id, let isError) = classifier.classify(line), id >= 0 else { return false }
            let response = Response(
                id: id,
                arrival: arrival,
                errorLine: isError ? String(decoding: line, as: UTF8.self) : nil
            )
            latest.update {
                $0 = response
                return true
            }
            return true
        }
    }

    /// Lines that were not in the host's usual shape and were parsed in full.
    var fallbacks: Int { classifier.fallbacks }

    /// Writes `request`, whose id is `id`, and waits for its response. `sent` is the clock read right before the
    /// write.
    func roundTrip(id: Int, request: [UInt8], what: String) throws(BenchError) -> (sent: UInt64, response: Response) {
        let sent = MonotonicClock.now()
        host.send(request)
        let response = try latest.wait(for: "response to \(what)", hosts: [host], deadline: deadline) { latest in
            latest.flatMap { $0.id == Int64(id) ? $0 : nil }
        }
        return (sent, response)
    }

    /// Removes the observer: the host's lines go to its connection again.
    func finish() {
        host.observe(nil)
    }
}
