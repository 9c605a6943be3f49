import TaskwireBoard
import Testing

@Suite struct KeyDecoderTests {
    static let sequences: [(bytes: [UInt8], key: Key)] = [
        (Array("\u{1B}[A".utf8), .up), (Array("\u{1B}[B".utf8), .down), (Array("\u{1B}[C".utf8), .right),
        (Array("\u{1B}[D".utf8), .left), (Array("\u{1B}OA".utf8), .up), (Array("\u{1B}[5~".utf8), .pageUp),
        (Array("\u{1B}[6~".utf8), .pageDown), (Array("\u{1B}[H".utf8), .home), (Array("\u{1B}[4~".utf8), .end),
        (Array("\u{1B}[1;5C".utf8), .right), ([0x0D], .enter), ([0x7F], .backspace), ([0x03], .control("c")),
        (Array("é".utf8), .character("é")), (Array("界".utf8), .character("界")), (Array("q".utf8), .character("q")),
        (Array("\u{1B}[200~".utf8), .unknown),
    ]

    /// Every sequence decodes to its key whether it arrives whole, byte by byte, or after another key.
    @Test(arguments: 0..<sequences.count)
    func sequencesDecodeWholeAndInPieces(_ index: Int) {
        let (bytes, key) = Self.sequences[index]
        var whole = KeyDecoder()
        #expect(whole.feed(bytes) == [key])
        var pieces = KeyDecoder()
        var keys: [Key] = []
        for byte in bytes { keys += pieces.feed([byte]) }
        #expect(keys == [key])
        #expect(!pieces.hasPending)
        var batched = KeyDecoder()
        #expect(batched.feed(Array("j".utf8) + bytes + Array("k".utf8)) == [.character("j"), key, .character("k")])
    }

    @Test func aLoneEscapeIsTheEscapeKeyOnceFlushed() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]).isEmpty)
        #expect(decoder.hasPending)
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.hasPending)
        #expect(decoder.feed([0x1B, UInt8(ascii: "q")]) == [.escape, .character("q")])
        #expect(decoder.feed([0x1B, 0x1B]) == [.escape])
        #expect(decoder.flush() == [.escape])
    }

    @Test func invalidUTF8IsUnknownAndDoesNotStick() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0xFF, UInt8(ascii: "a")]) == [.unknown, .character("a")])
        #expect(decoder.feed([0xE2, 0x82, UInt8(ascii: "b")]) == [.unknown, .character("b")])
        #expect(decoder.feed([0xE2, 0x82]).isEmpty)
        #expect(decoder.flush() == [.unknown])
    }
}

@Suite struct FrameWriterTests {
    func frame(_ lines: [String], width: Int = 10) -> Frame {
        Frame(
            width: width,
            height: lines.count,
            rows: lines.map { line in
                var row = Row()
                row.append(line, TextStyle(bold: true), columns: width)
                return row
            }
        )
    }

    @Test func onlyChangedRowsAreRewritten() {
        var writer = FrameWriter()
        let first = String(decoding: writer.update(to: frame(["one", "two", "three"])), as: UTF8.self)
        #expect(first.hasPrefix("\u{1B}[0m\u{1B}[2J"))
        #expect(first.contains("\u{1B}[1;1H") && first.contains("\u{1B}[3;1H"))
        #expect(writer.update(to: frame(["one", "two", "three"])).isEmpty)
        let second = String(decoding: writer.update(to: frame(["one", "2", "three"])), as: UTF8.self)
        #expect(second == "\u{1B}[2;1H\u{1B}[0;1m2         \u{1B}[0m")
        writer.invalidate()
        #expect(String(decoding: writer.update(to: frame(["one", "2", "three"])), as: UTF8.self).contains("[2J"))
        let resized = String(decoding: writer.update(to: frame(["one", "2", "three"], width: 12)), as: UTF8.self)
        #expect(resized.contains("[2J"))
    }

    @Test func userTextCannotReachTheTerminalAsControlCodes() {
        var writer = FrameWriter()
        let bytes = writer.update(to: frame(["\u{1B}]0;x\u{07}", "a\u{9B}2J", "\u{202E}evil"], width: 12))
        let text = String(decoding: bytes, as: UTF8.self)
        let escapes = text.unicodeScalars.filter { $0 == "\u{1B}" }.count
        #expect(escapes == 2 + 3 * 3)
        #expect(!text.unicodeScalars.contains("\u{07}"))
        #expect(!text.unicodeScalars.contains("\u{9B}"))
        #expect(!text.unicodeScalars.contains("\u{202E}"))
    }
}

@Suite struct TerminalTextTests {
    @Test func widthsCountWideCharactersTwice() {
        #expect(TerminalText.width(of: "abc") == 3)
        #expect(TerminalText.width(of: "漢字") == 4)
        #expect(TerminalText.width(of: "🎉") == 2)
        #expect(TerminalText.width(of: "e\u{301}") == 1)
    }

    @Test(arguments: [1, 2, 3, 5, 8, 20])
    func truncationFitsAndEndsInAnEllipsis(_ width: Int) {
        for text in ["a long title here", "漢字のタイトル", "🎉🎉🎉🎉🎉🎉"] {
            let cut = TerminalText.truncated(text, to: width)
            #expect(TerminalText.width(of: cut) <= width)
            if TerminalText.width(of: text) > width { #expect(cut.last == "…") } else { #expect(cut == text) }
        }
    }

    @Test func wrappingBreaksBetweenWordsAndKeepsLineBreaks() {
        #expect(TerminalText.wrapped("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(TerminalText.wrapped("a\n\nb", width: 5) == ["a", "", "b"])
        #expect(TerminalText.wrapped("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }
}
