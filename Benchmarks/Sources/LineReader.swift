#if canImport(Glibc)
import Glibc
#endif

/// Buffered newline splitting over one file descriptor, with no copy of the lines it hands out.
///
/// - Important: A line returned by ``nextLine()`` points into the buffer and is valid only until the next
///   ``fill()``, which may move or grow the buffer.
final class LineReader {
    let descriptor: Int32
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0

    init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Whether bytes that do not make a whole line yet are buffered.
    var hasPartialLine: Bool { start < end }

    /// One `read()` into the free part of the buffer (blocking if the descriptor is); 0 at end of file.
    func fill() throws(BenchError) -> Int {
        if start == end {
            start = 0
            end = 0
        } else if end == capacity {
            if start > 0 {
                memmove(storage, storage + start, end - start)
                end -= start
                start = 0
            } else {
                grow()
            }
        }
        while true {
            let count = read(descriptor, storage + end, capacity - end)
            if count >= 0 {
                end += count
                return count
            }
            if errno != EINTR { throw BenchError("read from a host failed: \(String(cString: strerror(errno)))") }
        }
    }

    /// The next complete line in the buffer, without its `\n` (or `\r\n`); nil when none is buffered.
    func nextLine() -> UnsafeBufferPointer<UInt8>? {
        guard start < end, let newline = memchr(storage + start, 0x0A, end - start) else { return nil }
        let lineEnd = UnsafeMutableRawPointer(newline).assumingMemoryBound(to: UInt8.self) - storage
        var length = lineEnd - start
        if length > 0, storage[start + length - 1] == 0x0D { length -= 1 }
        let line = UnsafeBufferPointer(start: storage + start, count: length)
        start = lineEnd + 1
        return line
    }

    /// Blocks until a whole line is available and returns it; nil at end of file.
    func readLine() throws(BenchError) -> UnsafeBufferPointer<UInt8>? {
        while true {
            if let line = nextLine() { return line }
            if try fill() == 0 { return nil }
        }
    }

    private func grow() {
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        larger.update(from: storage, count: end)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}
