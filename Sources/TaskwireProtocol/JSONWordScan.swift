/// Eight bytes of a string at a time, for the writer and the parser.
enum JSONWordScan {
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that is a quote, a backslash or below 0x20, plus possibly of bytes after
    /// the first such one (a borrow may carry): zero exactly when no byte of the word must be escaped in a string
    /// literal. These are the classic tests for a zero byte and for a byte below n.
    @inline(__always)
    static func mustEscape(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let below = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return (below | zeroQuote | zeroBackslash) & highBits
    }
}
