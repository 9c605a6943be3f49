#if canImport(Glibc)
import Glibc
#endif

/// A descriptor one thread makes readable to wake another that sleeps in `poll(2)` on it and on a socket: for a
/// thread that must wake both for work handed to it and for bytes arriving on a socket it does not read itself
/// between wake-ups (a condition variable cannot wait for a socket, nor `poll` for a condition).
///
/// A pipe: signalling is one `write` that never blocks (a full pipe is readable already), and a signal given before
/// the sleeper reaches `poll` is not lost (the pipe stays readable until drained).
// @unchecked Sendable: the descriptors are fixed for the object's life; `write` and `read` on them are thread-safe.
public final class PollWakeup: @unchecked Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    /// Nil when the system refuses a pipe (out of descriptors): the caller then sleeps as it would without.
    public init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the sleeper, or the next one to sleep.
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Sleeps until ``signal()`` is called (or was, since the last wake-up), `socket` can be read (or is closed), or
    /// `timeoutMilliseconds` pass. Returns whether `socket` can be read.
    public func sleep(orUntilReadable socket: Int32, timeoutMilliseconds: Int32) -> Bool {
        var entries = [
            pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&entries, 2, max(0, timeoutMilliseconds))
        guard ready > 0 else { return false }
        if entries[0].revents != 0 {
            var drained = [UInt8](repeating: 0, count: 64)
            while read(readEnd, &drained, drained.count) == drained.count {}
        }
        return entries[1].revents != 0
    }
}
