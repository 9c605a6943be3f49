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
/// with as few `write` calls as possible. A message may be queued as *droppable*, with an opaque tag: such messages
/// count against ``droppableLimit``, can be taken back while still queued (``dropQueued(where:)``), and the tags of
/// those taken for writing are reported to `onTaken`. What the tags mean (rooms and `seq`s) and when to drop (the
/// slow-consumer rule) is the server's business.
///
/// - Important: Lock order: a caller may hold its own locks while calling in; `onTaken` and the predicate of
///   ``dropQueued(where:)`` run with this writer's lock held, so they may take only locks that are never held while
///   calling the writer.
public final class OutputWriter: @unchecked Sendable {
    // @unchecked Sendable: every mutable property below is read and written only with `lock` held.
    private struct Mark {
        var start: Int
        var end: Int
        var tag: UInt64
    }

    private let fd: Int32
    private let lock = ConditionLock()
    private var queue: [UInt8] = []
    private var spare: [UInt8] = []
    private var marks: [Mark] = []
    private var framing = Framing.lines
    private var queuedDroppableBytes = 0
    private var writing = false
    /// Threads that will flush themselves soon (see ``cork()``); while any does, sends do not wake the writer thread.
    private var corks = 0
    /// Set when queued bytes must go out now, cork or not.
    private var flushRequested = false
    /// Bytes that reached the descriptor so far: tells a slow reader from one that stopped.
    private var bytesWritten = 0
    private var broken = false
    private var stopping = false
    /// Threads waiting for the stream to make progress (``waitForSpace()``, ``drain(timeoutMilliseconds:)``,
    /// ``waitForDroppableSpace(_:untilNanoseconds:)``): a finished write wakes them; when there are none and nothing
    /// is left for the writer thread, it wakes nobody.
    private var progressWaiters = 0
    private var thread: WorkerThread?

    /// Queued droppable messages past this many bytes make ``send(droppable:tag:)`` refuse.
    public let droppableLimit: Int
    /// Queued bytes past which ``waitForSpace()`` holds the reader back.
    public let backpressureLimit: Int
    /// Told the tags of droppable messages as they are taken for writing, in order, with the writer's lock held.
    private var onTaken: @Sendable ([UInt64]) -> Void = { _ in }

    public init(fd: Int32, droppableLimit: Int = 4 << 20, backpressureLimit: Int = 16 << 20) {
        self.fd = fd
        self.droppableLimit = droppableLimit
        self.backpressureLimit = backpressureLimit
    }

    /// Sets what is told the tags of droppable messages as they are taken for writing, in order. It runs with the
    /// writer's lock held: it must not call the writer.
    public func observeTaken(_ body: @escaping @Sendable ([UInt64]) -> Void) {
        lock.withLock { onTaken = body }
    }

    /// Starts the writer thread.
    public func start() {
        let worker = WorkerThread.start(name: "tw.writer") { [self] in run() }
        lock.withLock { thread = worker }
    }

    /// Stops the writer thread once it is idle and waits (at most `timeoutMilliseconds`) for it to end; what is
    /// still queued then is not written. Call ``drain(timeoutMilliseconds:)`` first to write it.
    public func stop(timeoutMilliseconds: Int) {
        let worker: WorkerThread? = lock.withLock {
            stopping = true
            lock.broadcast()
            return thread
        }
        worker?.waitUntilFinished(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Frames every message from now on as `framing` asks (set once a session's framing is known, before its
    /// first reply).
    public func setFraming(_ framing: Framing) {
        lock.withLock { self.framing = framing }
    }

    /// Queues one message.
    public func send(_ message: JSON) {
        lock.withLock {
            if framing == .lines {
                message.write(into: &queue)
                queue.append(0x0A)
            } else {
                append(framed: message.bytes)
            }
            kick()
        }
    }

    /// Queues one already-serialized message (without its line terminator).
    public func send(bytes: [UInt8]) {
        lock.withLock {
            append(framed: bytes)
            kick()
        }
    }

    /// Appends one message in the session's framing. Lock held.
    private func append(framed bytes: [UInt8]) {
        if framing == .headers { queue.append(contentsOf: "Content-Length: \(bytes.count)\r\n\r\n".utf8) }
        queue.append(contentsOf: bytes)
        if framing == .lines { queue.append(0x0A) }
    }

    /// Queues a droppable message with its tag; false, with nothing queued, when the droppable messages queued are
    /// past ``droppableLimit`` (a message is always accepted when none is queued, however large).
    public func send(droppable bytes: [UInt8], tag: UInt64) -> Bool {
        lock.withLock {
            guard queuedDroppableBytes + bytes.count <= droppableLimit || queuedDroppableBytes == 0 else {
                return false
            }
            let start = queue.count
            append(framed: bytes)
            marks.append(Mark(start: start, end: queue.count, tag: tag))
            queuedDroppableBytes += queue.count - start
            kick()
            return true
        }
    }

    /// What ``waitForDroppableSpace(_:untilNanoseconds:)`` found.
    public struct SpaceWait: Sendable {
        /// The message fits under the limit now (or the stream is gone, so waiting longer is pointless).
        public var fits: Bool
        /// Bytes that reached the stream since the start: whether the reader makes progress.
        public var bytesWritten: Int
    }

    /// Waits until a droppable message of `count` bytes fits under the limit, or until `deadline` (a
    /// ``MonotonicClock`` reading); asks for what is queued to be written meanwhile.
    public func waitForDroppableSpace(_ count: Int, untilNanoseconds deadline: UInt64) -> SpaceWait {
        lock.withLock {
            flushRequested = true
            lock.broadcast()
            var fits: Bool {
                queuedDroppableBytes == 0 || queuedDroppableBytes + count <= droppableLimit || broken
            }
            progressWaiters += 1
            defer { progressWaiters -= 1 }
            while !fits, lock.wait(untilNanoseconds: deadline) || MonotonicClock.now() < deadline {}
            return SpaceWait(fits: fits, bytesWritten: bytesWritten)
        }
    }

    /// Takes back the queued droppable messages whose tag `shouldDrop` accepts (it runs with the lock held, once
    /// per queued droppable message); returns how many were dropped.
    @discardableResult
    public func dropQueued(where shouldDrop: (UInt64) -> Bool) -> Int {
        lock.withLock {
            // The predicate is asked once per message: it may keep books of what it dropped.
            let drops = marks.map { shouldDrop($0.tag) }
            guard drops.contains(true) else { return 0 }
            var rebuilt: [UInt8] = []
            rebuilt.reserveCapacity(queue.count)
            var kept: [Mark] = []
            var cursor = 0
            var dropped = 0
            for (mark, drop) in zip(marks, drops) {
                rebuilt.append(contentsOf: queue[cursor..<mark.start])
                cursor = mark.end
                if drop {
                    queuedDroppableBytes -= mark.end - mark.start
                    dropped += 1
                } else {
                    kept.append(Mark(start: rebuilt.count, end: rebuilt.count + mark.end - mark.start, tag: mark.tag))
                    rebuilt.append(contentsOf: queue[mark.start..<mark.end])
                }
            }
            rebuilt.append(contentsOf: queue[cursor...])
            queue = rebuilt
            marks = kept
            return dropped
        }
    }

    /// Blocks the caller while more than ``backpressureLimit`` bytes wait to be written.
    public func waitForSpace() {
        lock.withLock {
            progressWaiters += 1
            defer { progressWaiters -= 1 }
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
            progressWaiters += 1
            defer { progressWaiters -= 1 }
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
    /// The most ``uncork(mayBlock:)`` writes from the calling thread: what a pipe holds (64 KiB on Linux).
    private static let callerWriteLimit = 1 << 16

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
    /// and a writable descriptor); otherwise, and for more than a pipe holds, the writer thread does it.
    public func uncork(mayBlock: Bool) {
        var chunk: [UInt8] = []
        let proceed: Bool = lock.withLock {
            corks -= 1
            guard !queue.isEmpty, !broken else { return false }
            guard !writing else {
                // Another thread is writing: once it is done, the writer thread takes this, whoever holds a cork.
                flushRequested = true
                return false
            }
            // More than a pipe holds would keep the caller in `write` until the client has read most of it: the
            // replies to a pipelined read (hundreds of tasks) go to the writer thread, and the caller goes on to
            // read and handle the next requests meanwhile.
            if queue.count > Self.callerWriteLimit || (!mayBlock && (queue.count > Int(PIPE_BUF) || !isWritable())) {
                flushRequested = true
                lock.broadcast()
                return false
            }
            chunk = take()
            return true
        }
        if proceed { finishWrite(&chunk) }
    }

    private func isWritable() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&poller, 1, 0) == 1 && poller.revents & Int16(POLLOUT) != 0
    }

    /// Takes everything queued for writing. Lock held.
    private func take() -> [UInt8] {
        if !marks.isEmpty { onTaken(marks.map(\.tag)) }
        marks.removeAll(keepingCapacity: true)
        queuedDroppableBytes = 0
        flushRequested = false
        swap(&queue, &spare)
        let chunk = spare
        spare = []
        writing = true
        return chunk
    }

    /// Writes a taken chunk, then lets the next writer go. The chunk's memory becomes the spare queue again, emptied
    /// and not shared (`chunk` is left without it), so that the next messages are queued into memory already there.
    /// (A copy emptied with `removeAll(keepingCapacity:)` got a new buffer of the whole capacity at every write:
    /// past 128 KiB a fresh mapping, whose pages faulted in as messages were queued into it, a twentieth of a
    /// receiving host's time in `perf`.)
    private func finishWrite(_ chunk: inout [UInt8]) {
        let written = write(chunk)
        chunk.removeAll(keepingCapacity: true)
        lock.withLock {
            writing = false
            if !written {
                broken = true
                queue.removeAll()
                marks.removeAll()
                queuedDroppableBytes = 0
            }
            if spare.capacity < chunk.capacity { swap(&spare, &chunk) }
            // The writer thread sleeps until there is something for it; waking it for nothing costs two context
            // switches per reply.
            let writerHasWork =
                !queue.isEmpty && (corks == 0 || flushRequested || queue.count > Self.corkLimit)
            if writerHasWork || progressWaiters > 0 || stopping { lock.broadcast() }
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
            finishWrite(&chunk)
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
