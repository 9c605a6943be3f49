import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes pre-built chunks of requests to a host's stdin on a thread of its own, so that the caller's thread can
/// read the responses meanwhile (a host that cannot write its responses stops reading requests).
final class ChunkWriter: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    /// Starts writing at once.
    init(descriptor: Int32, chunks: [[UInt8]]) {
        Thread.detachNewThread { [self] in
            for chunk in chunks {
                do {
                    try writeAll(chunk, to: descriptor)
                } catch {
                    failure.withLock { $0 = "\(error)" }
                    break
                }
            }
            finished.signal()
        }
    }

    /// Waits until everything is written; the error when a write failed.
    func wait() -> String? {
        finished.wait()
        return failure.withLock { $0 }
    }

    /// Request lines joined into chunks of `perChunk`, each written with one `write()` (as the peers' driver does).
    static func chunks(_ lines: [[UInt8]], perChunk: Int = 64) -> [[UInt8]] {
        stride(from: 0, to: lines.count, by: perChunk).map { start in
            Array(lines[start..<min(start + perChunk, lines.count)].joined())
        }
    }
}

/// Writes all of `bytes` to `descriptor`, retrying partial and interrupted writes.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(BenchError) {
    let failure: Int32 = bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
    if failure != 0 { throw BenchError("write to a host failed: \(String(cString: strerror(failure)))") }
}
