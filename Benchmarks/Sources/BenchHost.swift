import Foundation
import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A `taskwire` child driven straight over its pipes: the caller's thread writes to its stdin and reads its stdout,
/// with no thread, queue or lock in between, so what is timed is the host and the pipes.
///
/// - Important: Not thread-safe: one thread drives a host (a pipelining writer thread only ever gets the raw stdin
///   descriptor). The child is killed when the value goes away while it still runs.
final class BenchHost {
    let pid: pid_t
    /// Our end of the child's stdin.
    let input: Int32
    /// Buffered reading of the child's stdout.
    let output: LineReader
    /// Where the child's stderr (its log) goes.
    let logPath: String
    private var inputOpen = true
    private var nextCallID: Int64 = 1 << 40
    private var reaped = false

    /// Starts `binary ARGUMENTS` with stdin and stdout on fresh pipes and stderr appended to `logPath`.
    init(binary: String, arguments: [String], logPath: String) throws(BenchError) {
        let stdinPipe = try Self.makePipe()
        let stdoutPipe = try Self.makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        // The host must start with no signal blocked and SIGPIPE at its default, whatever this process does.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        sigaddset(&defaulted, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = Self.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, binary, &actions, &attributes, argv, envp)
        close(stdinPipe.read)
        close(stdoutPipe.write)
        guard status == 0 else {
            close(stdinPipe.write)
            close(stdoutPipe.read)
            throw BenchError("cannot start \(binary): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        input = stdinPipe.write
        output = LineReader(descriptor: stdoutPipe.read)
        self.logPath = logPath
    }

    deinit {
        closeInput()
        if !reaped {
            kill(pid, SIGKILL)
            _ = waitExit(blocking: true)
        }
        close(output.descriptor)
    }

    /// This process's environment without `TASKWIRE_*`, so that nothing outside the benchmark configures its hosts.
    private static let environment: [String] = ProcessInfo.processInfo.environment
        .filter { !$0.key.hasPrefix("TASKWIRE_") }
        .map { "\($0.key)=\($0.value)" }

    /// Writes all of `bytes` to the child's stdin.
    func send(_ bytes: [UInt8]) throws(BenchError) {
        try writeAll(bytes, to: input)
    }

    /// Sends one request for untimed setup and returns its result, parsed in full; notifications read on the way
    /// are dropped. Its ids start at 2^40, far from the 0-based ids of the timed requests.
    @discardableResult
    func call(_ method: String, _ params: JSONObject = [:]) throws(BenchError) -> JSON {
        let id = nextCallID
        nextCallID += 1
        let request: JSON = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)]
        try send(request.bytes + [0x0A])
        var classifier = LineClassifier()
        while let line = try output.readLine() {
            guard case .response(let responseID, _) = classifier.classify(line), responseID == id else { continue }
            guard let response = try? JSONParser.parse(UnsafeRawBufferPointer(line)), let result = response["result"]
            else {
                throw BenchError("\(method) failed: \(String(decoding: line, as: UTF8.self))")
            }
            return result
        }
        throw BenchError("the host (pid \(pid)) closed its stdout during \(method); see \(logPath)")
    }

    /// Closes the child's stdin: the host then leaves its rooms and exits.
    func closeInput() {
        guard inputOpen else { return }
        inputOpen = false
        close(input)
    }

    /// Waits until the child has exited, killing it after `timeout` seconds; true when it exited by itself.
    @discardableResult
    func finish(timeout: Double = 5) -> Bool {
        closeInput()
        let deadline = Monotonic.now() + UInt64(timeout * 1e9)
        while Monotonic.now() < deadline {
            if waitExit(blocking: false) { return true }
            Monotonic.sleep(milliseconds: 2)
        }
        kill(pid, SIGKILL)
        _ = waitExit(blocking: true)
        return false
    }

    /// `VmRSS` and `VmHWM` (peak) of the child, in KiB, from `/proc/PID/status`.
    func memory() -> (resident: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else {
                return nil
            }
            return Int(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        }
        guard let resident = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (resident, peak)
    }

    private func waitExit(blocking: Bool) -> Bool {
        guard !reaped else { return true }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == -1, errno == EINTR { continue }
            if result != 0 { reaped = true }
            return result != 0
        }
    }

    /// A pipe whose two ends are close-on-exec, so that no other child inherits them (dup2 clears the flag on the
    /// child's own 0 and 1). Hosts are started from one thread only, so nothing can spawn between pipe and fcntl.
    private static func makePipe() throws(BenchError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw BenchError("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }
}
