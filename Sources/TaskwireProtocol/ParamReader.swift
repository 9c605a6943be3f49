/// A field that may be absent, explicitly `null`, or set: the three cases of a partial update.
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case null
    case value(Value)

    public var isAbsent: Bool { self == .absent }
}

/// Reads by-name params with field-level errors: `-32602` with `data: {field, reason}`.
///
/// Unknown fields are refused up front so that a typo never passes silently. A reader of a nested object (see
/// ``nested(_:allowed:)``) names its fields by their full path from the params, such as `clientInfo.name`, in
/// every error it raises.
public struct ParamReader {
    public let params: JSONObject
    /// The full path of the object read, such as `clientInfo`; `nil` for the params themselves.
    public let path: String?

    public init(_ params: JSONObject, allowed: Set<String>, path: String? = nil) throws(ResponseError) {
        self.params = params
        self.path = path
        for member in params where !allowed.contains(member.key) {
            throw .invalidParams(field: fieldPath(member.key), reason: "unknown field")
        }
    }

    /// The name of `field` in errors: its full path from the params.
    public func fieldPath(_ field: String) -> String {
        guard let path else { return field }
        return "\(path).\(field)"
    }

    public func has(_ field: String) -> Bool { params[field] != nil }

    public func string(_ field: String) throws(ResponseError) -> String {
        guard let value = params[field] else { throw .invalidParams(field: fieldPath(field), reason: "required") }
        guard case .string(let text) = value else {
            throw .invalidParams(field: fieldPath(field), reason: "must be a string")
        }
        return try checked(text, field: field)
    }

    /// An id: a non-empty string.
    public func identifier(_ field: String) throws(ResponseError) -> String {
        let text = try string(field)
        guard !text.isEmpty else { throw .invalidParams(field: fieldPath(field), reason: "must not be empty") }
        return text
    }

    /// An id that may be left out or `null`.
    public func optionalIdentifier(_ field: String) throws(ResponseError) -> String? {
        switch params[field] {
        case nil, .null?: return nil
        default: return try identifier(field)
        }
    }

    /// Refuses U+0000: storage and C libraries treat it as the end of a string, so it could silently cut text or
    /// make a different id match.
    func checked(_ text: String, field: String) throws(ResponseError) -> String {
        // Over the contiguous bytes: `String.UTF8View`'s own `contains` steps through its index, about 500
        // instructions for a title of 30 bytes (callgrind).
        var bytes = text
        guard !bytes.withUTF8({ $0.contains(0) }) else {
            throw .invalidParams(field: fieldPath(field), reason: "must not contain U+0000")
        }
        return text
    }

    public func optionalString(_ field: String) throws(ResponseError) -> String? {
        guard params[field] != nil else { return nil }
        return try string(field)
    }

    /// A string that may also be `null` (to clear it).
    public func nullableString(_ field: String) throws(ResponseError) -> FieldUpdate<String> {
        switch params[field] {
        case nil: return .absent
        case .null?: return .null
        case .string(let text)?: return .value(try checked(text, field: field))
        default: throw .invalidParams(field: fieldPath(field), reason: "must be a string or null")
        }
    }

    public func integer(_ field: String, in range: ClosedRange<Int64>) throws(ResponseError) -> Int64 {
        guard let value = params[field] else { throw .invalidParams(field: fieldPath(field), reason: "required") }
        guard case .number(let text) = value, let number = Int64(text) else {
            throw .invalidParams(field: fieldPath(field), reason: "must be an integer")
        }
        guard range.contains(number) else {
            let upper = range.upperBound == .max ? "" : " and at most \(range.upperBound)"
            throw .invalidParams(field: fieldPath(field), reason: "must be at least \(range.lowerBound)\(upper)")
        }
        return number
    }

    public func optionalInteger(_ field: String, in range: ClosedRange<Int64>) throws(ResponseError) -> Int64? {
        guard params[field] != nil else { return nil }
        return try integer(field, in: range)
    }

    public func optionalStringArray(_ field: String) throws(ResponseError) -> [String]? {
        guard let value = params[field] else { return nil }
        guard case .array(let elements) = value else {
            throw .invalidParams(field: fieldPath(field), reason: "must be an array of strings")
        }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else {
                throw .invalidParams(field: fieldPath(field), reason: "must be an array of strings")
            }
            strings.append(try checked(text, field: field))
        }
        return strings
    }

    /// A string that must be one of `choices`.
    public func optionalChoice(_ field: String, _ choices: [String]) throws(ResponseError) -> String? {
        guard let text = try optionalString(field) else { return nil }
        guard choices.contains(text) else {
            throw .invalidParams(field: fieldPath(field), reason: "must be one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    public func choice(_ field: String, _ choices: [String]) throws(ResponseError) -> String {
        guard has(field) else { throw .invalidParams(field: fieldPath(field), reason: "required") }
        return try optionalChoice(field, choices)!
    }

    public func optionalObject(_ field: String) throws(ResponseError) -> JSONObject? {
        guard let value = params[field] else { return nil }
        guard case .object(let object) = value else {
            throw .invalidParams(field: fieldPath(field), reason: "must be an object")
        }
        return object
    }

    /// A reader of the object in `field`, which must be there; it refuses fields not in `allowed`, and every error
    /// it raises names the field by its full path (`clientInfo.extra`).
    public func nested(_ field: String, allowed: Set<String>) throws(ResponseError) -> ParamReader {
        guard has(field) else { throw .invalidParams(field: fieldPath(field), reason: "required") }
        return try optionalNested(field, allowed: allowed)!
    }

    /// A reader of the object in `field`, or `nil` when the field is absent; see ``nested(_:allowed:)``.
    public func optionalNested(_ field: String, allowed: Set<String>) throws(ResponseError) -> ParamReader? {
        guard let object = try optionalObject(field) else { return nil }
        return try ParamReader(object, allowed: allowed, path: fieldPath(field))
    }
}
