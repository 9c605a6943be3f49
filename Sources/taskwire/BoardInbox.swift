import TaskwireClient
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// What reaches the board's loop from other threads — the room's notifications, resizes, the end of the host —
/// queued in order, with a pipe that the loop polls beside the terminal's input (the self-pipe pattern: no work is
/// done in a signal or reader thread, only a wake-up).
final class BoardInbox: Sendable {
    enum Item: Sendable {
        case notification(TaskwireConnection.Message)
        case resize
        case hostEnded
    }

    private let items = Locked<[Item]>([])
    /// The end the loop polls.
    let readFD: Int32
    private let writeFD: Int32

    init() throws(TerminalError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TerminalError(description: "cannot create a pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Queues `item` and wakes the loop. A full pipe already holds a wake-up, so a write that would block is
    /// dropped.
    func post(_ item: Item) {
        items.withLock { $0.append(item) }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Takes every queued item, and the wake-ups that announced them.
    func take() -> [Item] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
        return items.withLock { items in
            defer { items = [] }
            return items
        }
    }
}
