import TaskwireStore
import Testing

@Suite struct IdentifiersTests {
    private static let tokenAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func tokensHaveTheirShape() {
        for _ in 0..<100 {
            let token = Identifiers.token()
            #expect(token.count == 46)
            #expect(token.utf8.count == 46)
            #expect(token.hasPrefix("tw_"))
            #expect(token.dropFirst(3).allSatisfy(Self.tokenAlphabet.contains))
        }
    }

    @Test func tokensAreUnique() {
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(Identifiers.token()) }
        #expect(seen.count == 10_000)
    }

    /// Over many tokens every position takes many values: no character is stuck.
    @Test func tokenCharactersVary() {
        let tokens = (0..<2000).map { _ in Array(Identifiers.token().utf8) }
        for position in 3..<46 {
            let values = Set(tokens.map { $0[position] })
            #expect(values.count > 40, "position \(position) takes only \(values.count) values")
        }
    }

    @Test func idsHaveAPrefixAndTwentyBase36Characters() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = Identifiers.make("tsk")
            #expect(id.hasPrefix("tsk_"))
            #expect(id.count == 24)
            #expect(id.dropFirst(4).allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) })
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    @Test(
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_782_399_999, "2000-02-28T23:59:59.999Z"),
            (1_000, "1970-01-01T00:00:01.000Z"),
            (7, "1970-01-01T00:00:00.007Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ]
    )
    func knownTimestamps(_ milliseconds: Int64, _ text: String) {
        #expect(Timestamp.format(milliseconds: milliseconds) == text)
    }

    @Test func nowIsWellFormed() {
        let now = Timestamp.now()
        #expect(now.count == 24)
        #expect(now.hasSuffix("Z"))
        #expect(now > "2024-01-01T00:00:00.000Z")
        #expect(Timestamp.nowMilliseconds() > 1_704_067_200_000)
    }
}
