import TaskwireSync
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `ChildProcess` shares with its reader, writer and waiter threads.
///
/// Four threads per child, each started once and ending on its own: the stdout reader and the stderr reader end at
/// end of file, the stdin writer at `.close` (its inbox), the waiter when the child is reaped. Each owns its
/// descriptor and closes it; every wait is on `condition`.
// @unchecked Sendable: every stored `var` is read and written only while `condition` is locked.
final class ChildProcessState: @unchecked Sendable {
    /// Work for the stdin writer thread.
    enum WriteItem {
        case write([UInt8])
        case close
    }

    /// Stderr kept per child; enough for any report, bounded against a child that floods it.
    private static let stderrLimit = 4 << 20
    private static let readSize = 64 * 1024

    private let condition = ConditionLock()
    private var lines: [[UInt8]] = []
    private var lineHead = 0
    private var unterminated: [UInt8] = []
    private var stdoutClosed = false
    private var stderrBytes: [UInt8] = []
    private var stderrClosed = false
    private var exited: ProcessTermination?
    private var writeQueue: [WriteItem] = []
    private var writerBusy = false
    private var writerDone = false
    private var firstWriteError: String?
    private var outputPaused: Bool
    private let outputFraming: Framing
    /// Callers suspended in ``termination(timeout:)``.
    private var exitWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var expiredExitWaiters: Set<Int> = []
    private var nextExitWaiter = 0

    private let onOutput: (@Sendable (ChildProcess.Output) -> Void)?
    private var stdin: Int32 = -1

    init(outputPaused: Bool, outputFraming: Framing, onOutput: (@Sendable (ChildProcess.Output) -> Void)?) {
        self.outputPaused = outputPaused
        self.outputFraming = outputFraming
        self.onOutput = onOutput
    }

    private static let brokenPipesIgnored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Makes a write to a closed pipe fail with EPIPE instead of killing this process.
    static func ignoreBrokenPipes() {
        _ = brokenPipesIgnored
    }

    func startThreads(pid: Int32, stdin: Int32, stdout: Int32, stderr: Int32) {
        // Our end of stdin never blocks: a write that does not fit is finished by the writer thread.
        _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
        locked { self.stdin = stdin }
        WorkerThread.start(name: "tw.child.stdout") { [self] in readStdout(stdout) }
        WorkerThread.start(name: "tw.child.stderr") { [self] in readStderr(stderr) }
        WorkerThread.start(name: "tw.child.stdin") { [self] in writeStdin(stdin) }
        WorkerThread.start(name: "tw.child.wait") { [self] in waitForChild(pid) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.withLock(body)
    }

    /// Waits on the condition until `ready` holds or `timeout` passes; returns whether it holds. Caller holds the lock.
    private func wait(timeout: Duration, until ready: () -> Bool) -> Bool {
        let deadline = timeout.deadline
        while !ready() {
            if !condition.wait(untilNanoseconds: deadline) { return ready() }
        }
        return true
    }

    // MARK: stdout

    func resumeOutput() {
        locked {
            outputPaused = false
            condition.broadcast()
        }
    }

    private func readStdout(_ descriptor: Int32) {
        locked {
            while outputPaused { condition.wait() }
        }
        var reader = LineReader(descriptor: descriptor, framing: outputFraming, readSize: Self.readSize)
        var more = true
        while more {
            var received: [[UInt8]] = []
            var rest: [UInt8] = []
            do {
                more = try reader.read { event in
                    switch event {
                    case .line(let line):
                        if let onOutput { onOutput(.line(line)) } else { received.append(Array(line)) }
                    case .unterminated(let bytes):
                        rest = Array(bytes)
                    }
                }
            } catch {
                more = false
            }
            locked {
                lines.append(contentsOf: received)
                if !more {
                    unterminated = rest
                    stdoutClosed = true
                }
                // Lines handed to `onOutput` are nobody's to wait for here.
                if !received.isEmpty || !more { condition.broadcast() }
            }
        }
        close(descriptor)
        onOutput?(.end)
    }

    func nextLine(timeout: Duration) -> [UInt8]? {
        locked {
            guard wait(timeout: timeout, until: { lineHead < lines.count || stdoutClosed }) else { return nil }
            guard lineHead < lines.count else { return nil }
            let line = lines[lineHead]
            lineHead += 1
            if lineHead > 1024, lineHead * 2 > lines.count {
                lines.removeFirst(lineHead)
                lineHead = 0
            }
            return line
        }
    }

    func takePendingLines() -> [[UInt8]] {
        locked {
            let pending = Array(lines[lineHead...])
            lines = []
            lineHead = 0
            return pending
        }
    }

    var isStdoutClosed: Bool { locked { stdoutClosed } }

    func waitForOutputEnd(timeout: Duration) -> Bool {
        locked { wait(timeout: timeout) { stdoutClosed && stderrClosed } }
    }

    var unterminatedOutput: [UInt8] { locked { stdoutClosed ? unterminated : [] } }

    // MARK: stderr

    private func readStderr(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            locked {
                let room = max(0, Self.stderrLimit - stderrBytes.count)
                stderrBytes.append(contentsOf: buffer[0..<min(room, count)])
            }
        }
        close(descriptor)
        locked {
            stderrClosed = true
            condition.broadcast()
        }
    }

    var stderrText: String { locked { String(decoding: stderrBytes, as: UTF8.self) } }

    // MARK: stdin

    func enqueue(_ item: WriteItem) {
        locked {
            guard !writerDone else { return }
            if case .write(let bytes) = item, writeQueue.isEmpty, !writerBusy, firstWriteError == nil, stdin >= 0 {
                // Nothing ahead of these bytes: write what fits now, from this thread, and queue only the rest.
                let written = DescriptorWriter.writeSome(bytes, to: stdin)
                guard written < bytes.count else { return }
                if written < 0 {
                    firstWriteError = String(cString: strerror(errno))
                    return
                }
                writeQueue.append(.write(Array(bytes[written...])))
            } else {
                writeQueue.append(item)
            }
            condition.broadcast()
        }
    }

    private func writeStdin(_ descriptor: Int32) {
        while true {
            let item: WriteItem = locked {
                while writeQueue.isEmpty { condition.wait() }
                writerBusy = true
                return writeQueue.removeFirst()
            }
            switch item {
            case .write(let bytes):
                let failure = locked { firstWriteError } == nil ? writeAll(bytes, to: descriptor) : nil
                locked {
                    if let failure, firstWriteError == nil { firstWriteError = failure }
                    writerBusy = false
                    condition.broadcast()
                }
            case .close:
                close(descriptor)
                locked {
                    writerBusy = false
                    writerDone = true
                    writeQueue = []
                    condition.broadcast()
                }
                return
            }
        }
    }

    /// Writes every byte; returns a description of the error that stopped it, if any.
    private func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        do {
            try DescriptorWriter.writeAll(bytes, to: descriptor)
            return nil
        } catch {
            return error.description
        }
    }

    func waitUntilWritten(timeout: Duration) -> Bool {
        locked { wait(timeout: timeout) { writeQueue.isEmpty && !writerBusy } }
    }

    var writeError: String? { locked { firstWriteError } }

    // MARK: exit

    private func waitForChild(_ pid: Int32) {
        guard let termination = ProcessSpawner.reap(pid, blocking: true) else { return }
        let waiters = locked {
            exited = termination
            condition.broadcast()
            defer { exitWaiters = [:] }
            return exitWaiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until the child ends or the time is up.
    func termination(timeout: Duration) async -> ProcessTermination? {
        let key: Int? = locked {
            guard exited == nil else { return nil }
            nextExitWaiter += 1
            return nextExitWaiter
        }
        guard let key else { return termination }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter: CheckedContinuation<Void, Never>? = locked {
                guard let waiter = exitWaiters.removeValue(forKey: key) else {
                    expiredExitWaiters.insert(key)
                    return nil
                }
                return waiter
            }
            waiter?.resume()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { continuation in
            let resumeNow = locked {
                if exited != nil || expiredExitWaiters.remove(key) != nil { return true }
                exitWaiters[key] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return termination
    }

    var termination: ProcessTermination? { locked { exited } }

    func waitForTermination(timeout: Duration) -> ProcessTermination? {
        locked {
            _ = wait(timeout: timeout) { exited != nil }
            return exited
        }
    }
}

/// Writes whole buffers to a descriptor, retrying after interrupts and short writes.
///
/// A non-blocking descriptor is waited for with `poll` when it is full.
public enum DescriptorWriter {
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(ProcessError) {
        let failure: String? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK {
                        var wanted = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&wanted, 1, -1)
                        continue
                    }
                    return String(cString: strerror(errno))
                }
                offset += count
            }
            return nil
        }
        if let failure { throw ProcessError(description: failure) }
    }

    /// Writes what fits without waiting; the count written (0 when full), or -1 on an error other than a full pipe.
    static func writeSome(_ bytes: [UInt8], to descriptor: Int32) -> Int {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK ? offset : -1
                }
                offset += count
            }
            return offset
        }
    }
}
