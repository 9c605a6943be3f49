import TaskwireSync
public import TaskwireTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process driven over pipes: bytes in on stdin, lines out of stdout, stderr collected.
///
/// Writes go through a writer thread, so `send` never blocks even when the child stops reading; stdout and stderr
/// are drained continuously by reader threads, so the child never blocks on a full pipe either.
///
/// - Important: The child is killed with SIGKILL when the last reference to its `ChildProcess` goes away while it
///   is still running. Call `closeStdin()` and `waitForExit(timeout:)` for an orderly end.
public final class ChildProcess: Sendable {
    /// What the child's stdout produced, for an `onOutput` handler.
    public enum Output {
        /// One line without its terminator; valid only during the call.
        case line(UnsafeRawBufferPointer)
        /// End of stdout; ``unterminatedOutput`` holds what followed the last line terminator.
        case end
    }

    /// The child's process id.
    public let pid: Int32
    /// The executable and arguments the child was started with, for reports.
    public let commandLine: [String]
    private let state: ChildProcessState

    /// Starts `executable` with `arguments` in exactly `environment` (by default this process's).
    ///
    /// With `outputPaused`, nothing is read from the child's stdout until ``resumeOutput()``: the pipe fills up and
    /// the child blocks on it, as under a client that stopped reading. With `onOutput`, every line of stdout is
    /// handed to it on the reading thread as it is read, without a copy, instead of waiting for ``nextLine(timeout:)``.
    /// `outputFraming` is how stdout is split into messages: lines, or LSP-style header blocks.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String] = Environment.current,
        outputPaused: Bool = false,
        outputFraming: Framing = .lines,
        onOutput: (@Sendable (Output) -> Void)? = nil
    ) throws(ProcessError) {
        ChildProcessState.ignoreBrokenPipes()
        let spawned = try ProcessSpawner.spawn(executable: executable, arguments: arguments, environment: environment)
        pid = spawned.pid
        commandLine = [executable] + arguments
        state = ChildProcessState(outputPaused: outputPaused, outputFraming: outputFraming, onOutput: onOutput)
        // All three are pipes: spawn(stdin:stdout:stderr:) defaults to .pipe.
        state.startThreads(pid: spawned.pid, stdin: spawned.stdin!, stdout: spawned.stdout!, stderr: spawned.stderr!)
    }

    deinit {
        if state.termination == nil { ProcessSignal.kill.send(to: pid) }
        state.enqueue(.close)
    }

    /// Starts reading stdout of a child started with `outputPaused`.
    public func resumeOutput() {
        state.resumeOutput()
    }

    /// Writes bytes to the child's stdin, in order: at once when nothing is queued and the pipe has room, else
    /// through the writer thread, so that this never blocks.
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
    public func signal(_ signal: ProcessSignal) {
        guard state.termination == nil else { return }
        signal.send(to: pid)
    }

    /// How the child ended, or nil while it runs.
    public var termination: ProcessTermination? { state.termination }

    /// Waits for the child to end and returns its exit code (128 + signal when killed), or nil on timeout.
    public func waitForExit(timeout: Duration) -> Int32? {
        state.waitForTermination(timeout: timeout)?.code
    }

    /// Waits for the child to end and tells how, or nil on timeout.
    public func waitForTermination(timeout: Duration) -> ProcessTermination? {
        state.waitForTermination(timeout: timeout)
    }

    /// Runs a command to its end with its stdin closed and returns its stdout (lines joined with `\n`); throws,
    /// with its stderr and stdout, when it fails or does not finish within `timeout` (it is killed then).
    public static func output(
        of command: [String],
        environment: [String: String] = Environment.current,
        timeout: Duration = .seconds(60)
    ) throws(ProcessError) -> String {
        let process = try ChildProcess(
            executable: command[0],
            arguments: Array(command.dropFirst()),
            environment: environment
        )
        process.closeStdin()
        guard let termination = process.waitForTermination(timeout: timeout) else {
            process.kill()
            throw ProcessError(description: "\(command[0]) did not finish within \(timeout)")
        }
        process.waitForOutputEnd(timeout: .seconds(5))
        let lines = process.takePendingLines().map { String(decoding: $0, as: UTF8.self) }
        let output = (lines + [String(decoding: process.unterminatedOutput, as: UTF8.self)]).joined(separator: "\n")
        guard termination == .exited(0) else {
            throw ProcessError(
                description:
                    "\(command.joined(separator: " ")) ended with \(termination): \(process.stderrText)\(output)"
            )
        }
        return output
    }

    /// Waits, suspended, for the child to end and tells how, or nil on timeout.
    public func exit(timeout: Duration) async -> ProcessTermination? {
        await state.termination(timeout: timeout)
    }

    /// Kills the child with SIGKILL and waits for it to be reaped.
    public func kill() {
        signal(.kill)
        _ = state.waitForTermination(timeout: .seconds(5))
    }

    /// `VmRSS` and `VmHWM` (peak) of the child, in KiB, from `/proc/PID/status`; nil where there is no `/proc`.
    public func memory() -> (resident: Int, peak: Int)? {
        ProcessMemory.read(pid: pid)
    }
}

/// Resident memory of a process, from `/proc/PID/status`.
public enum ProcessMemory {
    public static func read(pid: Int32) -> (resident: Int, peak: Int)? {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var resident: Int?
        var peak: Int?
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "VmRSS:" { resident = Int(fields[1]) }
            if fields[0] == "VmHWM:" { peak = Int(fields[1]) }
        }
        guard let resident, let peak else { return nil }
        return (resident, peak)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// A ``MonotonicClock`` deadline this far from now.
    var deadline: UInt64 { MonotonicClock.now() &+ min(nanoseconds, UInt64.max / 4) }
}
