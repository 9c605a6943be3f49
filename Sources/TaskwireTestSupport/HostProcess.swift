import Foundation

/// A child process driven over pipes: bytes in on stdin, newline-delimited lines out of stdout, stderr collected.
///
/// Writes go through a writer thread, so `send` never blocks even when the child stops reading; stdout and stderr
/// are drained continuously by reader threads, so the child never blocks on a full pipe either.
///
/// - Important: The child is killed with SIGKILL when the last reference to its `HostProcess` goes away while it is
///   still running. Call `closeStdin()` and `waitForExit(timeout:)` for an orderly end.
public final class HostProcess: Sendable {
    /// A signal that can be sent to the child.
    public enum Signal: String, Sendable, CaseIterable {
        case term = "TERM"
        case int = "INT"
        case kill = "KILL"
        case stop = "STOP"
        case cont = "CONT"
        case hup = "HUP"

        /// The signal number.
        public var number: Int32 {
            switch self {
            case .term: SIGTERM
            case .int: SIGINT
            case .kill: SIGKILL
            case .stop: SIGSTOP
            case .cont: SIGCONT
            case .hup: SIGHUP
            }
        }

        /// The conventional name of a signal number, such as `SIGTERM`, for reports.
        public static func name(of number: Int32) -> String {
            if let signal = allCases.first(where: { $0.number == number }) { return "SIG\(signal.rawValue)" }
            let crashes: [Int32: String] = [
                SIGABRT: "SIGABRT", SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
                SIGFPE: "SIGFPE", SIGPIPE: "SIGPIPE",
            ]
            return crashes[number] ?? "signal \(number)"
        }
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// The exit code, or 128 plus the signal number as a shell reports it.
        public var code: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signaled(let signal): "killed by \(Signal.name(of: signal))"
            }
        }
    }

    /// The child's process id.
    public let pid: Int32
    /// The executable and arguments the child was started with, for reports.
    public let commandLine: [String]
    private let state: HostProcessState

    /// Starts `executable` with `arguments`; `environment` replaces the inherited environment when given.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil
    ) throws(HostProcessError) {
        HostProcessState.ignoreBrokenPipes()
        let spawned = try ChildSpawner.spawn(
            executable: executable,
            arguments: arguments,
            environment: environment ?? ProcessInfo.processInfo.environment
        )
        pid = spawned.pid
        commandLine = [executable] + arguments
        state = HostProcessState()
        state.startThreads(pid: spawned.pid, stdin: spawned.stdin, stdout: spawned.stdout, stderr: spawned.stderr)
    }

    deinit {
        if state.termination == nil { ChildSpawner.send(SIGKILL, to: pid) }
        state.enqueue(.close)
    }

    /// Queues bytes for the child's stdin; they are written in order by the writer thread.
    public func send(_ bytes: [UInt8]) {
        state.enqueue(.write(bytes))
    }

    /// Queues the UTF-8 bytes of `text` for the child's stdin.
    public func send(_ text: String) {
        send(Array(text.utf8))
    }

    /// Closes the child's stdin once everything queued before has been written.
    public func closeStdin() {
        state.enqueue(.close)
    }

    /// Waits until everything queued for stdin has been written (or could not be); false on timeout.
    @discardableResult
    public func waitUntilWritten(timeout: Duration) -> Bool {
        state.waitUntilWritten(timeout: timeout)
    }

    /// The first error met while writing to stdin (typically a broken pipe after the child exited), if any.
    public var writeError: String? { state.writeError }

    /// The next complete stdout line without its `\n`, or nil when none arrives in time or stdout has closed.
    public func nextLine(timeout: Duration) -> [UInt8]? {
        state.nextLine(timeout: timeout)
    }

    /// Removes and returns the complete stdout lines received but not yet taken.
    public func takePendingLines() -> [[UInt8]] {
        state.takePendingLines()
    }

    /// Whether the child's stdout has reached end of file.
    public var isStdoutClosed: Bool { state.isStdoutClosed }

    /// Waits until both stdout and stderr have reached end of file, so that all output is in; false on timeout.
    @discardableResult
    public func waitForOutputEnd(timeout: Duration) -> Bool {
        state.waitForOutputEnd(timeout: timeout)
    }

    /// Bytes written to stdout after the last `\n` before end of file: output that was not a complete line.
    public var unterminatedOutput: [UInt8] { state.unterminatedOutput }

    /// Everything the child wrote to stderr so far (the first megabytes of it).
    public var stderrText: String { state.stderrText }

    /// The last `count` lines of stderr.
    public func stderrTail(lines count: Int) -> String {
        let lines = stderrText.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = lines.last == "" ? lines.dropLast() : lines[...]
        return trimmed.suffix(count).joined(separator: "\n")
    }

    /// Sends a signal to the child; does nothing once it has been reaped.
    public func signal(_ signal: Signal) {
        guard state.termination == nil else { return }
        ChildSpawner.send(signal.number, to: pid)
    }

    /// How the child ended, or nil while it runs.
    public var termination: Termination? { state.termination }

    /// Waits for the child to end and returns its exit code (128 + signal when killed), or nil on timeout.
    public func waitForExit(timeout: Duration) -> Int32? {
        state.waitForTermination(timeout: timeout)?.code
    }

    /// Waits for the child to end and tells how, or nil on timeout.
    public func waitForTermination(timeout: Duration) -> Termination? {
        state.waitForTermination(timeout: timeout)
    }

    /// Kills the child with SIGKILL and waits for it to be reaped.
    public func kill() {
        signal(.kill)
        _ = state.waitForTermination(timeout: .seconds(5))
    }
}

/// Why a child process could not be started.
public struct HostProcessError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
