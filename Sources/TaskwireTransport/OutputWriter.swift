public import TaskwireProtocol
import TaskwireSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one writer of the protocol stream: every response and notification goes through it, one whole line at a
/// time, so no two messages ever interleave.
///
/// Messages are queued and written by a dedicated thread, which takes everything queued at once and writes it
/// with as few `write` calls as possible. Room notifications are tagged with their room and `seq`, so that when the
/// client stops reading, the ones still queued can be dropped (the slow-consumer rule) while the writer knows the
/// last `seq` of each room that did reach the stream.
public final class OutputWriter: @unchecked Sendable {
    // @unchecked Sendable: every mutable property below is read and written only with `lock` held.
    private struct Mark {
        var start: Int
        var end: Int
        var room: String
        var seq: Int64
    }

    private let fd: Int32
    private let lock = ConditionLock()
    private var queue: [UInt8] = []
    private var spare: [UInt8] = []
    private var marks: [Mark] = []
    private var queuedNotificationBytes = 0
    private var writtenSeq: [String: Int64] = [:]
    private var writing = false
    /// Threads that will flush themselves soon (see ``cork()``); while any does, sends do not wake the writer thread.
    private var corks = 0
    /// Set when queued bytes must go out now, cork or not.
    private var flushRequested = false
    /// Bytes that reached the descriptor so far: tells a slow reader from one that stopped.
    private var bytesWritten = 0
    private var broken = false
    private var stopping = false
    private var thread: pthread_t?

    /// Queued room notifications past this many bytes make ``sendRoomEvent(_:room:seq:)`` refuse.
    public let notificationLimit: Int
    /// Queued bytes past which ``waitForRoom()`` holds the reader back.
    public let backpressureLimit: Int

    public init(fd: Int32, notificationLimit: Int = 4 << 20, backpressureLimit: Int = 16 << 20) {
        self.fd = fd
        self.notificationLimit = notificationLimit
        self.backpressureLimit = backpressureLimit
    }

    /// Starts the writer thread.
    public func start() {
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let result = pthread_create(
            &handle,
            nil,
            { raw in
                let writer = Unmanaged<OutputWriter>.fromOpaque(raw!).takeRetainedValue()
                writer.run()
                return nil
            },
            box.toOpaque()
        )
        precondition(result == 0, "cannot start the writer thread")
        lock.withLock { thread = handle }
    }

    /// Queues one message.
    public func send(_ message: JSON) {
        lock.withLock {
            message.write(into: &queue)
            queue.append(0x0A)
            kick()
        }
    }

    /// Queues one already-serialized message (without its line terminator).
    public func send(bytes: [UInt8]) {
        lock.withLock {
            queue.append(contentsOf: bytes)
            queue.append(0x0A)
            kick()
        }
    }

    /// Queues a room notification; false, with nothing queued, when the queued notifications are past the limit.
    public func sendRoomEvent(_ bytes: [UInt8], room: String, seq: Int64) -> Bool {
        lock.withLock {
            guard queuedNotificationBytes + bytes.count <= notificationLimit || queuedNotificationBytes == 0 else {
                return false
            }
            let start = queue.count
            queue.append(contentsOf: bytes)
            queue.append(0x0A)
            marks.append(Mark(start: start, end: queue.count, room: room, seq: seq))
            queuedNotificationBytes += bytes.count + 1
            kick()
            return true
        }
    }

    /// Waits until a room notification of `count` bytes fits under the limit, while the client is reading;
    /// false when it still does not fit after `timeoutMilliseconds` (the client stopped reading).
    /// The wait goes on as long as the client reads something every `timeoutMilliseconds`: only a client that
    /// made no progress for that long counts as stopped.
    public func waitForNotificationRoom(_ count: Int, timeoutMilliseconds: Int) -> Bool {
        var deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
        return lock.withLock {
            flushRequested = true
            lock.broadcast()
            var progress = bytesWritten
            while queuedNotificationBytes > 0 && queuedNotificationBytes + count > notificationLimit && !broken {
                if !lock.wait(untilNanoseconds: deadline), MonotonicClock.now() >= deadline {
                    guard bytesWritten > progress else { return false }
                    progress = bytesWritten
                    deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
                }
            }
            return true
        }
    }

    /// Removes the queued notifications of a room and tells the last `seq` of it that reached (or is being
    /// written to) the stream, if any.
    public func dropRoom(_ room: String) -> Int64? {
        lock.withLock {
            let dropped = marks.filter { $0.room == room }
            guard !dropped.isEmpty else { return writtenSeq[room] }
            var rebuilt: [UInt8] = []
            rebuilt.reserveCapacity(queue.count)
            var kept: [Mark] = []
            var cursor = 0
            for mark in marks {
                rebuilt.append(contentsOf: queue[cursor..<mark.start])
                cursor = mark.end
                if mark.room == room {
                    queuedNotificationBytes -= mark.end - mark.start
                } else {
                    kept.append(
                        Mark(
                            start: rebuilt.count,
                            end: rebuilt.count + mark.end - mark.start,
                            room: mark.room,
                            seq: mark.seq
                        )
                    )
                    rebuilt.append(contentsOf: queue[mark.start..<mark.end])
                }
            }
            rebuilt.append(contentsOf: queue[cursor...])
            queue = rebuilt
            marks = kept
            return writtenSeq[room]
        }
    }

    /// Forgets what was written for a room (after the session left it).
    public func forgetRoom(_ room: String) {
        lock.withLock { _ = writtenSeq.removeValue(forKey: room) }
    }

    /// Blocks the caller while more than ``backpressureLimit`` bytes wait to be written.
    public func waitForRoom() {
        lock.withLock {
            while queue.count > backpressureLimit && !broken && !stopping { lock.wait() }
        }
    }

    /// Waits until everything queued was written (or the stream broke); false on timeout.
    @discardableResult
    public func drain(timeoutMilliseconds: Int) -> Bool {
        let deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
        return lock.withLock {
            flushRequested = true
            lock.broadcast()
            while !(queue.isEmpty && !writing) && !broken {
                if !lock.wait(untilNanoseconds: deadline), MonotonicClock.now() >= deadline { return false }
            }
            return true
        }
    }

    /// True once the reader of the stream has gone away.
    public var isBroken: Bool { lock.withLock { broken } }

    /// Bytes queued past which the writer thread is woken even while a thread holds a cork.
    private static let corkLimit = 1 << 18

    /// Wakes the writer thread for what was just queued, unless a corking thread will flush it. Lock held.
    private func kick() {
        if corks == 0 || queue.count > Self.corkLimit { lock.broadcast() }
    }

    /// Tells the writer that the calling thread is about to queue several messages and will call ``uncork(mayBlock:)``
    /// afterwards, so that they go out in one write instead of waking the writer thread for each.
    public func cork() {
        lock.withLock { corks += 1 }
    }

    /// Ends a ``cork()`` and writes what is queued from the calling thread, which spares a thread hand-off per
    /// message. With `mayBlock` false, the calling thread writes only when the write cannot block (a small amount
    /// and a writable descriptor); otherwise the writer thread does it.
    public func uncork(mayBlock: Bool) {
        var chunk: [UInt8] = []
        let proceed: Bool = lock.withLock {
            corks -= 1
            guard !writing, !queue.isEmpty, !broken else { return false }
            if !mayBlock && (queue.count > Int(PIPE_BUF) || !isWritable()) {
                flushRequested = true
                lock.broadcast()
                return false
            }
            chunk = take()
            return true
        }
        if proceed { finishWrite(chunk) }
    }

    private func isWritable() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&poller, 1, 0) == 1 && poller.revents & Int16(POLLOUT) != 0
    }

    /// Takes everything queued for writing. Lock held.
    private func take() -> [UInt8] {
        for mark in marks { writtenSeq[mark.room] = mark.seq }
        marks.removeAll(keepingCapacity: true)
        queuedNotificationBytes = 0
        flushRequested = false
        swap(&queue, &spare)
        let chunk = spare
        spare = []
        writing = true
        return chunk
    }

    /// Writes a taken chunk, then lets the next writer go.
    private func finishWrite(_ chunk: [UInt8]) {
        var chunk = chunk
        let written = write(chunk)
        chunk.removeAll(keepingCapacity: true)
        lock.withLock {
            writing = false
            if !written {
                broken = true
                queue.removeAll()
                marks.removeAll()
                queuedNotificationBytes = 0
            }
            if spare.isEmpty { spare = chunk }
            lock.broadcast()
        }
    }

    private func run() {
        while true {
            var chunk: [UInt8] = []
            let proceed: Bool = lock.withLock {
                while (queue.isEmpty || writing || (corks > 0 && !flushRequested && queue.count <= Self.corkLimit))
                    && !stopping
                {
                    lock.wait()
                }
                if queue.isEmpty || writing { return false }
                chunk = take()
                return true
            }
            guard proceed else { return }
            finishWrite(chunk)
        }
    }

    /// Writes all bytes; false when the stream is gone. Waits for the descriptor when it was left non-blocking.
    private func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                // At most 64 KiB per call: a blocking write to a pipe returns only once all of it went through,
                // and progress must show while a slow client reads a large chunk.
                let written = Glibc.write(fd, buffer.baseAddress! + offset, min(buffer.count - offset, 1 << 16))
                if written > 0 {
                    offset += written
                    lock.withLock { bytesWritten += written }
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, 1000)
                } else {
                    return false
                }
            }
            return true
        }
    }
}
