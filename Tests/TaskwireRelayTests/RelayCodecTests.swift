import Logging
import TaskwireCrypto
import TaskwireProtocol
import TaskwireRelay
import TaskwireSync
import Testing

@Suite struct RelayCodecTests {
    let codec = RelayCodec(key: SecretKey(bytes: Array(repeating: 7, count: 32)), namespace: "db1")

    static func event(seq: Int64 = 2, projectID: String = "p_1", type: String = "task.created") -> CommittedEvent {
        let json: JSON = [
            "projectId": .string(projectID),
            "seq": .int(seq),
            "type": .string(type),
            "data": ["task": ["title": "line one\nline two"]],
        ]
        return CommittedEvent(projectID: projectID, seq: seq, type: type, payload: json.bytes)
    }

    static let presence: JSON = [
        "id": 5, "projectId": "p_1", "sessionId": "s_1", "user": ["id": "u_1", "name": "alice"], "kind": "joined",
        "reason": .null, "at": "2026-01-01T00:00:00.000Z",
    ]

    func rejection(_ message: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> RelayRejection? {
        switch codec.open(message) {
        case .success: nil
        case .failure(let rejection): rejection
        }
    }

    @Test func eventsAndPresenceOpenAsSealed() throws {
        let event = Self.event()
        guard case .success(.event(let opened)) = codec.open(codec.seal(event)) else {
            Issue.record("a sealed event did not open")
            return
        }
        #expect(opened.projectID == event.projectID)
        #expect(opened.seq == event.seq)
        #expect(opened.type == event.type)
        #expect(opened.payload == event.payload)

        guard case .success(.presence(let json)) = codec.open(codec.seal(presence: Self.presence)) else {
            Issue.record("a sealed presence change did not open")
            return
        }
        #expect(json == Self.presence)
    }

    /// The attack of the report: a forged event followed by a forged response, in the old unauthenticated format.
    @Test func theUnauthenticatedFormatIsRefused() {
        var forged = Array("E 2 p_1 task.created\n".utf8)
        forged += Self.event().payload
        forged += Array("\n{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{\"fake\":true}}".utf8)
        #expect(rejection(forged) == .malformed)
        #expect(rejection(Array("P {}".utf8)) == .malformed)
    }

    @Test func anotherKeyOrAnotherDatabaseIsRefused() {
        let message = codec.seal(Self.event())
        let otherKey = RelayCodec(key: SecretKey(bytes: Array(repeating: 8, count: 32)), namespace: "db1")
        let otherDatabase = RelayCodec(key: SecretKey(bytes: Array(repeating: 7, count: 32)), namespace: "db2")
        #expect(otherKey.open(message).isFailure(.badCode))
        #expect(otherDatabase.open(message).isFailure(.badCode))
    }

    @Test func everyChangedByteIsRefused() {
        let message = codec.seal(Self.event())
        for index in message.indices {
            for change: UInt8 in [0x01, 0x20, 0x80] {
                var changed = message
                changed[index] ^= change
                #expect(rejection(changed) != nil, "byte \(index) changed by \(change) still opened")
            }
        }
    }

    @Test func everyTruncationIsRefused() {
        let message = codec.seal(Self.event())
        for length in 0..<message.count {
            #expect(rejection(Array(message[..<length])) != nil, "a message cut at \(length) bytes opened")
        }
        #expect(rejection(Array(message.prefix(20))) == .truncated)
        #expect(rejection(message + [0x0A]) == .badCode)
    }

    @Test func anUnknownVersionIsNamed() {
        var message = codec.seal(Self.event())
        message[2] = UInt8(ascii: "2")
        #expect(rejection(message) == .unknownVersion)
    }

    @Test func oversizedMessagesAreRefusedUnread() {
        let message = [UInt8](repeating: UInt8(ascii: "x"), count: RelayCodec.maximumMessageBytes + 1)
        #expect(rejection(message) == .oversized)
    }

    /// Bodies sealed with the right key, as a host with a bug (or a stolen key) could send: checked all the same.
    @Test(
        arguments: [
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, nil),
            ("E 3 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .headerMismatch),
            ("E 2 p_2 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .headerMismatch),
            ("E 2 p_1 task.updated\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .headerMismatch),
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":"2","type":"task.created"}"#, .headerMismatch),
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"# + "\n{}", .badEvent),
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"} {}"#, .badEvent),
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"# + "\r", .badEvent),
            ("E 2 p_1 task.created\n", #"[{"projectId":"p_1","seq":2,"type":"task.created"}]"#, .badEvent),
            ("E 2 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created""#, .badEvent),
            ("E 2 p_1 task.created\n", "", .badEvent),
            ("E 2 p_1 rpc.discover\n", #"{"projectId":"p_1","seq":2,"type":"rpc.discover"}"#, .badHeader),
            ("E 02 p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .badHeader),
            ("E -2 p_1 task.created\n", #"{"projectId":"p_1","seq":-2,"type":"task.created"}"#, .badHeader),
            ("E 0 p_1 task.created\n", #"{"projectId":"p_1","seq":0,"type":"task.created"}"#, .badHeader),
            ("E 99999999999999999999 p_1 task.created\n", "{}", .badHeader),
            ("E 2  p_1 task.created\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .badHeader),
            ("E 2 p_1 task.created extra\n", #"{"projectId":"p_1","seq":2,"type":"task.created"}"#, .badHeader),
            ("E 2 p_1 task.created", "", .badHeader),
            ("P ", #"{"id":1}"#, nil),
            ("P ", "[1]", .badPresence),
            ("P ", "{}\n{}", .badPresence),
            ("X ", "{}", .malformed),
            ("E", "", .malformed),
        ] as [(String, String, RelayRejection?)]
    )
    func authenticatedBodiesAreCheckedInFull(_ header: String, _ json: String, _ expected: RelayRejection?) {
        #expect(rejection(codec.seal(body: Array((header + json).utf8))) == expected)
    }

    @Test func theEventSealsToOneCanonicalMessage() {
        let event = Self.event()
        let message = codec.seal(event)
        #expect(message.starts(with: Array("TW1 ".utf8)))
        #expect(message.count(where: { $0 == 0x0A }) == 2, "header line, event header line, then the event")
        #expect(codec.seal(event) == message)
    }

    /// The message as the format defines it, built here the plain way: `TW1 `, the hex HMAC-SHA-256 of the
    /// context and the body under the database's key, a newline, the body.
    @Test func aSealedMessageIsTheFormatByteForByte() {
        let key = SecretKey(bytes: Array(repeating: 7, count: 32))
        let event = Self.event(seq: 1234, projectID: "p_xyz")
        let body = Array("E 1234 p_xyz task.created\n".utf8) + event.payload
        let code = HMACSHA256(key: key).authenticationCode(
            for: Array("taskwire relay v1\ndb1\n".utf8),
            followedBy: body[...]
        )
        let expected = Array("TW1 \(Hex.encode(code))\n".utf8) + body
        #expect(codec.seal(event) == expected)
        #expect(codec.seal(body: body) == expected)
    }

    /// The code has one text: lowercase digits. Anything else in its place is malformed; another code is a bad one.
    @Test func theCodeIsReadAsLowercaseDigitsOnly() {
        let sealed = codec.seal(Self.event())
        let letter = sealed[4..<68].firstIndex { $0 >= UInt8(ascii: "a") }!
        var uppercase = sealed
        uppercase[letter] -= 0x20
        #expect(rejection(uppercase) == .malformed)
        var notADigit = sealed
        notADigit[4] = UInt8(ascii: "g")
        #expect(rejection(notADigit) == .malformed)
        var anotherCode = sealed
        anotherCode[4] = anotherCode[4] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(rejection(anotherCode) == .badCode)
        #expect(rejection(sealed) == nil)
    }

    @Test func rejectionsAreCountedAndWarnedAboutAtMostOncePerIntervalWithoutContent() {
        let lines = Locked<[String]>([])
        let logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        let log = RelayRejectionLog(logger: logger, interval: .seconds(60))
        for _ in 0..<100 { log.record(.badCode) }
        log.record(.malformed)
        #expect(log.counts == [.badCode: 100, .malformed: 1])
        let logged = lines.withLock { $0 }
        #expect(logged.count == 1)
        #expect(logged.first?.contains("wrong authentication code: 1") == true)
    }
}

extension Result where Failure == RelayRejection {
    func isFailure(_ expected: RelayRejection) -> Bool {
        if case .failure(let rejection) = self { return rejection == expected }
        return false
    }
}

/// A log handler that keeps the messages it is given.
struct CapturingHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}
