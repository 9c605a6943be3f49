import TaskwireTransport
import Testing

@testable import TaskwireServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RoomOutputTests {
    /// A presence notice is tagged with its room's cursor before it is queued; another thread may queue the room's
    /// next event in between. When both go out in one write, the room's last written `seq` (what a resync reports)
    /// is the event's, never the older tag that came after it.
    @Test func theLastWrittenSeqOfARoomNeverGoesBack() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer {
            close(descriptors[0])
            close(descriptors[1])
        }
        let writer = OutputWriter(fd: descriptors[1])
        let output = RoomOutput(writer: writer)
        writer.cork()
        #expect(output.send(Array(#"{"event":5}"#.utf8), room: "p1", seq: 5))
        #expect(output.send(Array(#"{"presence":"joined"}"#.utf8), room: "p1", seq: 4))
        // Both are taken and written in one chunk, from this thread.
        writer.uncork(mayBlock: true)
        #expect(output.drop("p1") == 5)
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptors[0], &buffer, buffer.count)
        let written = String(decoding: buffer[0..<max(0, count)], as: UTF8.self)
        #expect(written == "{\"event\":5}\n{\"presence\":\"joined\"}\n")
    }
}
