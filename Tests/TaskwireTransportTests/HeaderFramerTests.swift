import TaskwireTransport
import Testing

/// The LSP-style framer, fed whole and in chunks of every size from 1 byte: the frames never depend on chunking.
@Suite struct HeaderFramerTests {
    enum Seen: Equatable {
        case message(String)
        case oversized
        case malformed(String)
    }

    static func frames(_ input: [UInt8], chunk: Int, limit: Int = 100, detect: Bool = false) -> [Seen] {
        var seen: [Seen] = []
        let record: (Frame) -> Void = { frame in
            switch frame {
            case .line(let bytes): seen.append(.message(String(decoding: bytes, as: UTF8.self)))
            case .oversized: seen.append(.oversized)
            case .malformed(let reason): seen.append(.malformed(reason))
            }
        }
        if detect {
            var framer = InputFramer(framing: nil, maxMessageBytes: limit) { _ in }
            var offset = 0
            while offset < input.count {
                let end = min(offset + chunk, input.count)
                input[offset..<end].withUnsafeBytes { framer.push($0, record) }
                offset = end
            }
            framer.finish(record)
        } else {
            var framer = HeaderFramer(maxMessageBytes: limit)
            var offset = 0
            while offset < input.count {
                let end = min(offset + chunk, input.count)
                input[offset..<end].withUnsafeBytes { framer.push($0, record) }
                offset = end
            }
            framer.finish(record)
        }
        return seen
    }

    static func message(_ body: String, extra: String = "") -> String {
        "Content-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func messagesHeadersAndErrorsWhateverTheChunks(_ chunk: Int) {
        let input =
            Self.message(#"{"a":1}"#)
            + Self.message(#"{"b":"é"}"#, extra: "content-type: application/vscode-jsonrpc; charset=utf-8\r\n")
            + "CONTENT-LENGTH:   2  \n\n[]"
            + "Content-Length: 200\r\n\r\n" + String(repeating: "x", count: 200)
            + "Content-Length: x1\r\n\r\n"
            + "Content-Length: 99999999999999999999\r\n\r\n"
            + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n"
            + "Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}"
            + "Content-Type: text/plain\r\n\r\n"
            + "no colon here\r\n\r\n"
            + Self.message(#"{"c":3}"#)
            + "Content-Length: 10\r\n\r\n{\"cut"
        #expect(
            Self.frames(Array(input.utf8), chunk: chunk) == [
                .message(#"{"a":1}"#), .message(#"{"b":"é"}"#), .message("[]"), .oversized,
                .malformed("Content-Length is not a number"), .malformed("Content-Length is too large"),
                .malformed("Content-Length given twice, differently"), .message("{}"),
                .malformed("no Content-Length header"),
                .malformed("header line without a colon"), .message(#"{"c":3}"#), .malformed("message body cut short"),
            ]
        )
    }

    @Test func anEndlessHeaderBlockIsRefusedWithoutGrowing() {
        let input = Array(String(repeating: "X-Padding: y\r\n", count: 1000).utf8)
        #expect(Self.frames(input, chunk: 512).first == .malformed("header block longer than 8192 bytes"))
    }

    @Test(arguments: [1, 5, 4096])
    func detectionPicksHeadersOrLinesFromTheFirstBytes(_ chunk: Int) {
        let headers = "\r\n" + Self.message(#"{"a":1}"#)
        #expect(Self.frames(Array(headers.utf8), chunk: chunk, detect: true) == [.message(#"{"a":1}"#)])
        let lines = "{\"a\":1}\n{\"b\":2}"
        #expect(
            Self.frames(Array(lines.utf8), chunk: chunk, detect: true) == [
                .message(#"{"a":1}"#), .message(#"{"b":2}"#),
            ]
        )
        // A line that starts like a header name but is not one is a line.
        #expect(Self.frames(Array("Content\n".utf8), chunk: chunk, detect: true) == [.message("Content")])
    }
}
