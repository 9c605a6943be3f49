/// A JSON value that keeps numbers as the text they were written with.
///
/// Keeping the text is what lets a request id such as `9007199254740993` come back digit for digit, and what
/// lets a host pass a payload through without rounding anything in it.
///
/// Equality is that of the values: an ``encoded(_:)`` value equals the value its text holds.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as its JSON text (already validated against the JSON grammar).
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)
    /// A value already written as compact text by ``JSONTextWriter``: written out as it is, read (by the accessors
    /// below and by `==`; a `switch` through ``EncodedJSON/value``) as the value the text holds. A task is written
    /// once for its event and its response this way, where a tree would be built, encoded and destroyed twice.
    case encoded(EncodedJSON)

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.number(let left), .number(let right)): left == right
        case (.string(let left), .string(let right)): left == right
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        case (.encoded(let left), .encoded(let right)): left.bytes == right.bytes || left.value == right.value
        case (.encoded(let text), _): text.value == rhs
        case (_, .encoded(let text)): lhs == text.value
        default: false
        }
    }

    /// A number from an integer.
    public static func int<I: BinaryInteger>(_ value: I) -> JSON { .number(String(value)) }

    /// A number from an `Int64` (`seq`s, versions), its digits written directly: the standard library formats any
    /// integer through `BinaryInteger`'s general code (callgrind: about 600 instructions a number, four numbers in
    /// every `task.update`).
    public static func int(_ value: Int64) -> JSON { .number(decimal(value)) }

    /// A number from an `Int` (counts, sizes); see `int(_: Int64)`.
    public static func int(_ value: Int) -> JSON { .number(decimal(Int64(value))) }

    /// The decimal digits of `value`, with a `-` when negative.
    static func decimal(_ value: Int64) -> String {
        String(unsafeUninitializedCapacity: 20) { buffer in writeDecimal(value, at: buffer.baseAddress!) }
    }

    /// Writes the decimal digits of `value`, with a `-` when negative, at `at` (room for 20 bytes: `Int64.min`
    /// has 19 digits and its sign); returns how many bytes it wrote.
    static func writeDecimal(_ value: Int64, at: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 1 : 0
        var rest = magnitude
        repeat {
            count += 1
            rest /= 10
        } while rest != 0
        var position = count
        repeat {
            position -= 1
            at[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude != 0
        if value < 0 { at[0] = UInt8(ascii: "-") }
        return count
    }

    /// An optional string, `null` when absent.
    public static func string(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    public var isNull: Bool {
        if case .null = self { return true }
        if case .encoded(let text) = self { return text.value.isNull }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        if case .encoded(let text) = self { return text.value.stringValue }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        if case .encoded(let text) = self { return text.value.objectValue }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        if case .encoded(let text) = self { return text.value.arrayValue }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        if case .encoded(let text) = self { return text.value.boolValue }
        return nil
    }

    /// The value as an `Int64` when it is a number written as an integer that fits.
    public var int64Value: Int64? {
        if case .encoded(let text) = self { return text.value.int64Value }
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// The value of a member when this is an object.
    public subscript(key: String) -> JSON? {
        objectValue?[key]
    }

    /// The name of the JSON type, as used in error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .encoded(let text): text.value.typeName
        }
    }
}

/// A JSON object that keeps its members in the order they were written or added.
///
/// Equality ignores the order of members, as JSON does.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSON

        public init(_ key: String, _ value: JSON) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member] = []
    /// Positions of members by key, built only for objects large enough that a linear scan would cost.
    private var index: [String: Int]?
    /// Up to this many members a linear scan beats hashing; a task has 13.
    private static let indexThreshold = 32

    public init() {}

    /// Members written in a literal; their keys are distinct by construction.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(distinct: elements)
    }

    /// Members whose keys are distinct (checked in debug builds): no search for an earlier member of each key,
    /// which for the 14 members of a task was 91 string comparisons.
    init(distinct elements: [(String, JSON)]) {
        self.init(members: elements.map { Member($0.0, $0.1) })
    }

    /// Members with distinct keys (checked in debug builds), taken as they are. For the objects a host writes for
    /// every `task.update` (a task, an event): a dictionary literal first builds an array of (key, value) tuples,
    /// then copies it into members and destroys it through the runtime's generic tuple code, about twice the work.
    public init(members: [Member]) {
        assert(Set(members.map(\.key)).count == members.count, "duplicate keys in a JSON object")
        self.members = members
        rebuildIndex()
    }

    public init(_ pairs: [(String, JSON)]) {
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// Room for `count` members before the storage grows.
    mutating func reserveCapacity(_ count: Int) {
        members.reserveCapacity(count)
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> JSON? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let at = position(of: key) {
                if let newValue {
                    members[at].value = newValue
                } else {
                    members.remove(at: at)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append(Member(key, newValue))
                if index != nil {
                    index?[key] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.indexThreshold else {
            index = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(members.count)
        for (at, member) in members.enumerated() { built[member.key] = at }
        index = built
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members where rhs[member.key] != member.value { return false }
        return true
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// A literal's keys are distinct: the same key twice in one literal is a programming error (checked in debug).
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(distinct: elements)) }
    public init(nilLiteral: ()) { self = .null }
}
