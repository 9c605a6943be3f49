import TaskwireCrypto
import Testing

@Suite struct HMACSHA256Tests {
    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 truncates the output, which this type never does).
    @Test(
        arguments: [
            (
                String(repeating: "0b", count: 20), Hex.encode("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Hex.encode("Jefe".utf8), Hex.encode("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                "0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                String(repeating: "aa", count: 131),
                Hex.encode("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                String(repeating: "aa", count: 131),
                Hex.encode(
                    ("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
                ),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
    )
    func rfc4231(_ keyHex: String, _ messageHex: String, _ expected: String) throws {
        let key = try #require(SecretKey(hex: keyHex))
        let message = try #require(Hex.decode(messageHex))
        let mac = HMACSHA256(key: key)
        #expect(Hex.encode(mac.authenticationCode(for: message[...])) == expected)
        let code = try #require(Hex.decode(expected))
        #expect(mac.isValid(code: code[...], for: message[...]))
    }

    @Test func aChangedByteOrLengthIsNotValid() throws {
        let mac = HMACSHA256(key: SecretKey.random())
        let message = Array("the message".utf8)
        let code = mac.authenticationCode(for: message[...])
        #expect(mac.isValid(code: code[...], for: message[...]))
        for index in code.indices {
            var changed = code
            changed[index] ^= 0x01
            #expect(!mac.isValid(code: changed[...], for: message[...]))
        }
        #expect(!mac.isValid(code: code.dropLast(), for: message[...]))
        #expect(!mac.isValid(code: [][...], for: message[...]))
        #expect(!mac.isValid(code: code[...], for: message.dropLast()))
        #expect(!HMACSHA256(key: SecretKey.random()).isValid(code: code[...], for: message[...]))
    }

    /// The relay authenticates a context prefix and a message body without joining them first.
    @Test func aPrefixAndAMessageHaveTheCodeOfTheirJoin() {
        let mac = HMACSHA256(key: SecretKey.random())
        let prefix = Array("taskwire relay v1\nnamespace\n".utf8)
        let message = Array("E 1 prj_1 task.updated\n{}".utf8)
        let joined = prefix + message
        let separate = mac.authenticationCode(for: prefix, followedBy: message[...])
        #expect(separate == mac.authenticationCode(for: joined[...]))
        #expect(mac.authenticationCode(for: [], followedBy: message[...]) == mac.authenticationCode(for: message[...]))
        #expect(mac.authenticationCode(for: prefix, followedBy: [][...]) == mac.authenticationCode(for: prefix[...]))
        #expect(mac.authenticationCode(for: [], followedBy: [][...]).count == 32)
    }

    /// One keyed context serves every thread: each code is computed on a copy of it, which leaves it unchanged.
    @Test func threadsSharingOneKeyGetTheSameCodesAsOneThread() async {
        let mac = HMACSHA256(key: SecretKey.random())
        let messages = (0..<16).map { Array("message \($0) ".utf8) + Array(repeating: UInt8($0), count: $0 * 50) }
        let expected = messages.map { mac.authenticationCode(for: $0[...]) }
        let wrong = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<400 {
                        let index = (worker + round) % messages.count
                        if mac.authenticationCode(for: messages[index][...]) != expected[index] { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test func randomKeysDifferAndNeverPrintTheirBytes() throws {
        let first = SecretKey.random()
        let second = SecretKey.random()
        #expect(first.bytes.count == 32)
        #expect(first != second)
        #expect(!"\(first)".contains(first.hex))
        #expect(!String(reflecting: first).contains(first.hex))
        #expect(SecretKey(hex: first.hex) == first)
    }

    @Test(arguments: ["0", "zz", "abc", "0g", "AB", "0A"]) func malformedHexIsRefused(_ text: String) {
        #expect(Hex.decode(text) == nil)
        #expect(SecretKey(hex: text) == nil)
    }

    @Test func constantTimeEqualityMatchesPlainEquality() {
        let samples: [[UInt8]] = [[], [0], [1], [0, 0], [0, 1], Array(repeating: 7, count: 64)]
        for a in samples {
            for b in samples {
                #expect(ConstantTime.equal(a[...], b[...]) == (a == b))
            }
        }
    }
}
