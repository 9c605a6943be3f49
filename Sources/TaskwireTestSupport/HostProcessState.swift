import Foundation

/// What a `HostProcess` shares with its reader, writer and waiter threads.
///
/// `@unchecked Sendable`: every stored `var` is read and written only while `condition` is locked, and the file
/// descriptors are each owned by exactly one thread, which closes it.
final class HostProcessState: @unchecked Sendable {
    /// Work for the stdin writer thread.
    enum WriteItem {
        case write([UInt8])
        case close
    }

    /// Stderr kept per child; enough for any report, bounded against a child that floods it.
    private static let stderrLimit = 4 << 20
    private static let readSize = 64 * 1024

    private let condition = NSCondition()
    private var lines: [[UInt8]] = []
    private var lineHead = 0
    private var partial: [UInt8] = []
    private var stdoutClosed = false
    private var stderrBytes: [UInt8] = []
    private var stderrClosed = false
    private var exited: HostProcess.Termination?
    private var writeQueue: [WriteItem] = []
    private var writerBusy = false
    private var writerDone = false
    private var firstWriteError: String?

    private static let brokenPipesIgnored: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Makes a write to a closed pipe fail with EPIPE instead of killing the test process.
    static func ignoreBrokenPipes() {
        _ = brokenPipesIgnored
    }

    func startThreads(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        Thread.detachNewThread { [self] in readStdout(stdout) }
        Thread.detachNewThread { [self] in readStderr(stderr) }
        Thread.detachNewThread { [self] in writeStdin(stdin) }
        Thread.detachNewThread { [self] in waitForChild(pid) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Waits on the condition until `ready` holds or `timeout` passes; returns whether it holds. Caller holds the lock.
    private func wait(timeout: Duration, until ready: () -> Bool) -> Bool {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !ready() {
            if !condition.wait(until: deadline) { return ready() }
        }
        return true
    }

    // MARK: stdout

    private func readStdout(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            locked {
                var start = 0
                for index in 0..<count where buffer[index] == UInt8(ascii: "\n") {
                    partial.append(contentsOf: buffer[start..<index])
                    lines.append(partial)
                    partial = []
                    start = index + 1
                }
                partial.append(contentsOf: buffer[start..<count])
                condition.broadcast()
            }
        }
        close(descriptor)
        locked {
            stdoutClosed = true
            condition.broadcast()
        }
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

    var unterminatedOutput: [UInt8] { locked { stdoutClosed ? partial : [] } }

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
            writeQueue.append(item)
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
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += count
            }
            return nil
        }
    }

    func waitUntilWritten(timeout: Duration) -> Bool {
        locked { wait(timeout: timeout) { writeQueue.isEmpty && !writerBusy } }
    }

    var writeError: String? { locked { firstWriteError } }

    // MARK: exit

    private func waitForChild(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return }
        }
        let signal = status & 0x7F
        let termination: HostProcess.Termination =
            signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        locked {
            exited = termination
            condition.broadcast()
        }
    }

    var termination: HostProcess.Termination? { locked { exited } }

    func waitForTermination(timeout: Duration) -> HostProcess.Termination? {
        locked {
            _ = wait(timeout: timeout) { exited != nil }
            return exited
        }
    }
}
