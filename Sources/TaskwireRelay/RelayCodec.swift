public import TaskwireCrypto
public import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The messages hosts exchange through a relay: authenticated with a key that only the hosts of one database know,
/// versioned, and checked in full before anything in them is used.
///
/// A message is a header line with the format version and the HMAC-SHA-256 of the body, then the body:
///
///     TW1 <64 lowercase hex digits>\n<body>
///     body: E <seq> <projectId> <type>\n<event JSON>      a committed event
///           P <presence JSON>                             a presence change
///
/// The code authenticates `taskwire relay v1\n<namespace>\n<body>`, so that a message sealed for one database
/// is refused by the hosts of another even if they were given the same key. Anyone who can publish on the channel
/// but lacks the key can only make the hosts drop messages, which they then read back from the event log.
public struct RelayCodec: Sendable {
    /// Messages longer than this are refused without being examined further. An event is at most a few hundred KiB
    /// (64 KiB of description, escaped); the margin keeps a valid event from ever reaching the limit.
    public static let maximumMessageBytes = 4 << 20

    static let magic = Array("TW".utf8)
    static let version = UInt8(ascii: "1")
    /// `TW1 ` + 64 hex digits + `\n`.
    static let headerByteCount = 4 + 2 * HMACSHA256.codeByteCount + 1
    static let maximumProjectIDBytes = 128

    private let mac: HMACSHA256
    private let context: [UInt8]

    public init(key: SecretKey, namespace: String) {
        mac = HMACSHA256(key: key)
        context = Array("taskwire relay v1\n\(namespace)\n".utf8)
    }

    // MARK: Sealing

    /// The message announcing a committed event, written once: the header's place is kept, the body written after
    /// it, and the code of the body then written into the header.
    public func seal(_ event: CommittedEvent) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: Self.headerByteCount)
        message.reserveCapacity(Self.headerByteCount + 64 + event.projectID.utf8.count + event.payload.count)
        message.append(contentsOf: "E \(event.seq) \(event.projectID) \(event.type)\n".utf8)
        message.append(contentsOf: event.payload)
        writeHeader(into: &message)
        return message
    }

    /// The message announcing a presence change, given as its JSON object.
    public func seal(presence: JSON) -> [UInt8] {
        var body = Array("P ".utf8)
        presence.write(into: &body)
        return seal(body: body)
    }

    /// Seals any body; exposed so that tests and the fuzzer can build messages whose body is wrong but whose code
    /// is right.
    public func seal(body: [UInt8]) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: Self.headerByteCount)
        message.append(contentsOf: body)
        writeHeader(into: &message)
        return message
    }

    /// Fills the header's place at the start of `message` for the body after it: magic, version, code, newline.
    private func writeHeader(into message: inout [UInt8]) {
        let authentication = code(for: message[Self.headerByteCount...])
        message.replaceSubrange(0..<Self.magic.count, with: Self.magic)
        message[2] = Self.version
        message[3] = UInt8(ascii: " ")
        Hex.write(authentication, into: &message, at: 4)
        message[Self.headerByteCount - 1] = 0x0A
    }

    private func code(for body: ArraySlice<UInt8>) -> [UInt8] {
        mac.authenticationCode(for: context, followedBy: body)
    }

    // MARK: Opening

    /// Authenticates and checks a message; only what passes every check is returned.
    public func open(_ message: [UInt8]) -> Result<RelayFrame, RelayRejection> {
        guard message.count <= Self.maximumMessageBytes else { return .failure(.oversized) }
        guard message.count >= Self.headerByteCount else {
            return .failure(message.starts(with: Self.magic) ? .truncated : .malformed)
        }
        guard message.starts(with: Self.magic) else { return .failure(.malformed) }
        guard message[2] == Self.version else { return .failure(.unknownVersion) }
        let digits = message[4..<(Self.headerByteCount - 1)]
        guard message[3] == UInt8(ascii: " "), message[Self.headerByteCount - 1] == 0x0A, Hex.isDigits(digits)
        else { return .failure(.malformed) }
        let body = message[Self.headerByteCount...]
        // Nothing of the body is looked at before its code is verified. The code is computed and written out in
        // digits on the stack and compared with the header's digits (one text per code: lowercase only), with no
        // array made for either.
        let codeBytes = HMACSHA256.codeByteCount
        let genuine = withUnsafeTemporaryAllocation(byteCount: 3 * codeBytes, alignment: 1) { scratch in
            let code = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<codeBytes])
            let expected = UnsafeMutableRawBufferPointer(rebasing: scratch[codeBytes...])
            mac.authenticationCode(for: context, followedBy: body, into: code)
            Hex.write(UnsafeRawBufferPointer(code), into: expected)
            return digits.withUnsafeBytes { ConstantTime.equal(UnsafeRawBufferPointer(expected), $0) }
        }
        guard genuine else { return .failure(.badCode) }
        return Self.parse(body: body)
    }

    /// The project and `seq` an event message claims, read without verifying anything; nil for any other message.
    ///
    /// - Important: only for dropping, before paying for verification, a message that could not be delivered
    ///   even if it were genuine (its room is not joined here, or that `seq` was delivered already). Nothing read
    ///   here may ever reach a client.
    public static func claimedEvent(_ message: [UInt8]) -> (projectID: String, seq: Int64)? {
        let start = headerByteCount
        guard message.count > start + 2, message[start] == UInt8(ascii: "E"), message[start + 1] == UInt8(ascii: " ")
        else { return nil }
        let limit = min(message.count, start + 2 + 128)
        guard let firstSpace = message[(start + 2)..<limit].firstIndex(of: UInt8(ascii: " ")),
            let secondSpace = message[(firstSpace + 1)..<limit].firstIndex(of: UInt8(ascii: " ")),
            let seq = decimal(message[(start + 2)..<firstSpace])
        else { return nil }
        return (String(decoding: message[(firstSpace + 1)..<secondSpace], as: UTF8.self), seq)
    }

    /// Parses an authenticated body.
    static func parse(body: ArraySlice<UInt8>) -> Result<RelayFrame, RelayRejection> {
        guard body.count >= 2, body[body.startIndex + 1] == UInt8(ascii: " ") else { return .failure(.malformed) }
        let rest = body[(body.startIndex + 2)...]
        switch body[body.startIndex] {
        case UInt8(ascii: "E"): return parseEvent(rest).map(RelayFrame.event)
        case UInt8(ascii: "P"): return object(rest, rejection: .badPresence).map(RelayFrame.presence)
        default: return .failure(.malformed)
        }
    }

    /// `<seq> <projectId> <type>\n<event JSON>`, where the JSON must say the same seq, project and type.
    private static func parseEvent(_ bytes: ArraySlice<UInt8>) -> Result<CommittedEvent, RelayRejection> {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return .failure(.badHeader) }
        // Exactly three fields, found in place (`split` made an array of them for every message).
        let space = UInt8(ascii: " ")
        let header = bytes[..<newline]
        guard let first = header.firstIndex(of: space), let second = header[(first + 1)...].firstIndex(of: space),
            !header[(second + 1)...].contains(space), let seq = decimal(header[..<first]),
            isProjectID(header[(first + 1)..<second]),
            let type = EventType(rawValue: String(decoding: header[(second + 1)...], as: UTF8.self))
        else { return .failure(.badHeader) }
        let projectID = String(decoding: header[(first + 1)..<second], as: UTF8.self)
        let payload = bytes[(newline + 1)...]
        // The payload goes on to clients as it is: checked in full, but only the three members the header repeats
        // are built.
        guard
            let event = payload.withUnsafeBytes({ bytes in
                hasLineBreak(bytes) ? nil : try? JSONParser.checkObject(bytes, keeping: eventHeaderKeys)
            })
        else { return .failure(.badEvent) }
        guard event["projectId"] == .string(projectID), event["seq"]?.int64Value == seq,
            event["type"] == .string(type.rawValue)
        else { return .failure(.headerMismatch) }
        return .success(CommittedEvent(projectID: projectID, seq: seq, type: type.rawValue, payload: Array(payload)))
    }

    static let eventHeaderKeys = ["projectId", "seq", "type"]

    /// Exactly one JSON object, without a raw line break anywhere (so that it can be written as part of one line).
    private static func object(_ bytes: ArraySlice<UInt8>, rejection: RelayRejection) -> Result<JSON, RelayRejection> {
        guard let value = bytes.withUnsafeBytes({ hasLineBreak($0) ? nil : try? JSONParser.parse($0) }),
            case .object = value
        else { return .failure(rejection) }
        return .success(value)
    }

    /// Whether the bytes hold a raw line feed or carriage return (`memchr`, many bytes at a time).
    private static func hasLineBreak(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, 0x0A, bytes.count) != nil || memchr(base, 0x0D, bytes.count) != nil
    }

    /// A positive decimal `seq` without sign or leading zeros that fits an Int64.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 19,
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    /// Project ids are printable ASCII without spaces.
    private static func isProjectID(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= maximumProjectIDBytes && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

/// What an authenticated, well-formed relay message carries.
public enum RelayFrame: Sendable {
    /// A committed event; its payload was checked to be one JSON object matching the header.
    case event(CommittedEvent)
    /// A presence change, as its JSON object.
    case presence(JSON)
}

/// Why a relay message was dropped.
public enum RelayRejection: String, Sendable, CaseIterable, Error {
    case oversized = "oversized"
    case truncated = "truncated"
    case malformed = "malformed"
    case unknownVersion = "unknown format version"
    case badCode = "wrong authentication code"
    case badHeader = "bad event header"
    case badEvent = "event not one JSON object"
    case headerMismatch = "header does not match the event"
    case badPresence = "bad presence change"
}
