import TaskwireTransport
import Testing

/// A frame copied out of the framer's callback, so that it can be compared after the buffer is gone.
private enum Framed: Equatable, CustomStringConvertible {
    case line([UInt8])
    case oversized

    init(_ frame: Frame) {
        switch frame {
        case .line(let bytes): self = .line(Array(bytes))
        case .oversized, .malformed: self = .oversized
        }
    }

    static func text(_ text: String) -> Framed { .line(Array(text.utf8)) }

    var description: String {
        switch self {
        case .line(let bytes) where bytes.count > 40: ".line(\(bytes.count) bytes)"
        case .line(let bytes): ".line(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
        case .oversized: ".oversized"
        }
    }
}

/// Input for a framer and the frames it must produce.
private struct Corpus {
    let limit: Int
    var input: [UInt8] = []
    var expected: [Framed] = []

    init(limit: Int) { self.limit = limit }

    mutating func add(_ content: [UInt8], terminator: String, _ frame: Framed) {
        input += content + Array(terminator.utf8)
        expected.append(frame)
    }

    /// A line expected as it is when it fits the limit, else as `.oversized`.
    mutating func add(_ text: String, terminator: String = "\n") {
        add(Array(text.utf8), terminator: terminator, text.utf8.count > limit ? .oversized : .text(text))
    }

    /// Lines of every kind the limit matters for, ending with a line without a terminator.
    static func mixed(limit: Int) -> Corpus {
        func filler(_ count: Int, _ letter: Character) -> [UInt8] {
            [UInt8](repeating: letter.asciiValue!, count: count)
        }
        var corpus = Corpus(limit: limit)
        corpus.add(#"{"method":"ping","id":1}"#)
        corpus.add("crlf line", terminator: "\r\n")
        corpus.add("", terminator: "\n")
        corpus.add("", terminator: "\r\n")
        corpus.add("lf after empty lines")
        corpus.add(filler(limit, "a"), terminator: "\n", .line(filler(limit, "a")))
        corpus.add(filler(limit + 1, "b"), terminator: "\n", .oversized)
        corpus.add("after one byte too many")
        corpus.add(filler(limit * 10, "c"), terminator: "\n", .oversized)
        corpus.add("after a very long line")
        corpus.add(filler(limit, "d"), terminator: "\r\n", .line(filler(limit, "d")))
        corpus.add(filler(limit + 1, "e"), terminator: "\r\n", .oversized)
        corpus.add(filler(limit * 10, "f"), terminator: "\r\n", .oversized)
        corpus.add("carriage\rinside", terminator: "\r\n")
        corpus.add(filler(limit - 1, "g") + [0x0D], terminator: "\r\n", .line(filler(limit - 1, "g") + [0x0D]))
        corpus.add("é 日本 😀", terminator: "\n")
        corpus.add("last line without a terminator", terminator: "")
        return corpus
    }
}

/// Feeds `input` to a framer `chunkSize` bytes at a time, then finishes it.
private func frames(of input: [UInt8], limit: Int, chunkSize: Int) -> [Framed] {
    var framer = LineFramer(maxLineBytes: limit)
    var collected: [Framed] = []
    input.withUnsafeBytes { buffer in
        var start = 0
        while start < buffer.count {
            let end = start + min(chunkSize, buffer.count - start)
            framer.push(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) { collected.append(Framed($0)) }
            start = end
        }
    }
    framer.finish { collected.append(Framed($0)) }
    return collected
}

private func expectFrames(
    _ actual: [Framed],
    _ expected: [Framed],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (index, pair) in zip(actual, expected).enumerated() where pair.0 != pair.1 {
        Issue.record("frame \(index): \(pair.0), expected \(pair.1)", sourceLocation: sourceLocation)
        return
    }
}

@Suite struct LineFramerTests {
    static let chunkSizes = [1, 7, 4096, Int.max]
    static let limits = [32, 1000]

    @Test(arguments: chunkSizes, limits)
    func corpusFramesTheSameInAnyChunking(chunkSize: Int, limit: Int) {
        let corpus = Corpus.mixed(limit: limit)
        expectFrames(frames(of: corpus.input, limit: limit, chunkSize: chunkSize), corpus.expected)
    }

    @Test(arguments: chunkSizes)
    func everyChunkingAgreesWithWholeInput(chunkSize: Int) {
        let corpus = Corpus.mixed(limit: 64)
        let whole = frames(of: corpus.input, limit: 64, chunkSize: Int.max)
        expectFrames(frames(of: corpus.input, limit: 64, chunkSize: chunkSize), whole)
    }

    @Test(arguments: chunkSizes)
    func oversizedLineGivesOneFrameAndTheNextLineIsIntact(chunkSize: Int) {
        let limit = 100
        var corpus = Corpus(limit: limit)
        for length in [limit + 1, limit + 2, 2 * limit, 10 * limit, 100 * limit] {
            corpus.add([UInt8](repeating: UInt8(ascii: "x"), count: length), terminator: "\n", .oversized)
            corpus.add(#"{"after":\#(length)}"#)
        }
        let actual = frames(of: corpus.input, limit: limit, chunkSize: chunkSize)
        expectFrames(actual, corpus.expected)
        #expect(actual.filter { $0 == .oversized }.count == 5)
    }

    @Test(arguments: chunkSizes)
    func oversizedLastLineWithoutTerminator(chunkSize: Int) {
        var corpus = Corpus(limit: 10)
        corpus.add("first")
        corpus.add([UInt8](repeating: UInt8(ascii: "z"), count: 50), terminator: "", .oversized)
        expectFrames(frames(of: corpus.input, limit: 10, chunkSize: chunkSize), corpus.expected)
    }

    @Test(arguments: chunkSizes)
    func lastLineOfExactlyTheLimitWithoutTerminator(chunkSize: Int) {
        let line = [UInt8](repeating: UInt8(ascii: "q"), count: 10)
        expectFrames(frames(of: line, limit: 10, chunkSize: chunkSize), [.line(line)])
        expectFrames(frames(of: line + [0x0D], limit: 10, chunkSize: chunkSize), [.line(line)])
        expectFrames(frames(of: line + line, limit: 10, chunkSize: chunkSize), [.oversized])
    }

    @Test func emptyInputGivesNoFrames() {
        #expect(frames(of: [], limit: 10, chunkSize: 1).isEmpty)
        var framer = LineFramer(maxLineBytes: 10)
        var count = 0
        framer.push(UnsafeRawBufferPointer(start: nil, count: 0)) { _ in count += 1 }
        framer.finish { _ in count += 1 }
        framer.finish { _ in count += 1 }
        #expect(count == 0)
        #expect(framer.maxLineBytes == 10)
    }

    @Test func onlyTerminatorsGiveEmptyLines() {
        expectFrames(frames(of: Array("\n\r\n\n".utf8), limit: 4, chunkSize: 1), [.line([]), .line([]), .line([])])
    }

    /// The framer keeps working after a line was dropped in the middle of a chunk.
    @Test func framerIsReusableAcrossPushes() {
        var framer = LineFramer(maxLineBytes: 8)
        var collected: [Framed] = []
        for piece in ["abc", "defghijkl", "mno\npq", "r\n", "0123456", "7\r", "\n"] {
            Array(piece.utf8).withUnsafeBytes { buffer in
                framer.push(buffer) { collected.append(Framed($0)) }
            }
        }
        framer.finish { collected.append(Framed($0)) }
        expectFrames(collected, [.oversized, .text("pqr"), .text("01234567")])
    }
}
