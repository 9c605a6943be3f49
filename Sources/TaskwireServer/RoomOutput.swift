import TaskwireSync
import TaskwireTransport

/// The rooms' side of the protocol stream: room notifications go to the writer as droppable messages tagged with
/// their room and `seq`, so that a room can be taken back from a client that stopped reading, knowing the last
/// `seq` of it that reached the stream. The slow-consumer rule — how long to wait for a client that reads slowly —
/// lives here too; the writer only moves bytes.
final class RoomOutput: Sendable {
    private struct Tags {
        var next: UInt64 = 0
        /// Tags of queued room notifications.
        var queued: [UInt64: (room: String, seq: Int64)] = [:]
        /// The last `seq` of each room taken for writing.
        var written: [String: Int64] = [:]
    }

    let writer: OutputWriter
    /// Lock order: `OutputWriter`'s lock, then `tags` (the writer's callbacks take it); never call the writer with
    /// `tags` held.
    private let tags = Locked(Tags())

    init(writer: OutputWriter) {
        self.writer = writer
        writer.observeTaken { [tags] taken in
            tags.withLock { state in
                for tag in taken {
                    guard let mark = state.queued.removeValue(forKey: tag) else { continue }
                    // Only forward: a presence notice is tagged with its room's cursor before it is queued, and an
                    // event of the room may be queued by another thread in between, ahead of it.
                    state.written[mark.room] = max(state.written[mark.room] ?? mark.seq, mark.seq)
                }
            }
        }
    }

    /// Queues a notification of `room` that shows the room at `seq`; false, with nothing queued, when the
    /// client's queue of room notifications is full.
    func send(_ bytes: [UInt8], room: String, seq: Int64) -> Bool {
        let tag = tags.withLock { state in
            state.next += 1
            state.queued[state.next] = (room, seq)
            return state.next
        }
        guard writer.send(droppable: bytes, tag: tag) else {
            tags.withLock { _ = $0.queued.removeValue(forKey: tag) }
            return false
        }
        return true
    }

    /// Takes back the queued notifications of `room`; returns the last `seq` of it that reached (or is being
    /// written to) the stream, if any.
    func drop(_ room: String) -> Int64? {
        writer.dropQueued { [tags] tag in
            tags.withLock { state in
                guard state.queued[tag]?.room == room else { return false }
                state.queued.removeValue(forKey: tag)
                return true
            }
        }
        return tags.withLock { $0.written[room] }
    }

    /// Forgets what was written for a room, after the session left it.
    func forget(_ room: String) {
        tags.withLock { _ = $0.written.removeValue(forKey: room) }
    }

    /// Waits for the client to make space for `count` more bytes of room notifications. A client that reads, only
    /// slower than events come, is waited for as long as it makes progress; false once it has read nothing for
    /// `graceMilliseconds`: it has stopped reading.
    func awaitSpace(for count: Int, graceMilliseconds: Int) -> Bool {
        var last = writer.waitForDroppableSpace(count, untilNanoseconds: 0)
        while !last.fits {
            let wait = writer.waitForDroppableSpace(
                count,
                untilNanoseconds: MonotonicClock.deadline(afterMilliseconds: graceMilliseconds)
            )
            guard wait.fits || wait.bytesWritten > last.bytesWritten else { return false }
            last = wait
        }
        return true
    }
}
