public import TaskwireProtocol

/// The named values of a running transcript: setup captures such as `alice.token` and `$capture:NAME` results.
///
/// In a string, `${NAME}` stands for a variable and `$$` for a literal `$`. A string that is exactly `${NAME}`
/// becomes the variable's JSON value (a captured number stays a number); inside a longer string it becomes the
/// variable's text (a string's contents, or the compact JSON text of any other value).
public struct TranscriptVariables: Sendable {
    public private(set) var values: [String: JSON] = [:]

    public init(_ values: [String: JSON] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> JSON? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Replaces variable references in every string and member name of `json`.
    public func substitute(_ json: JSON) throws(TranscriptVariableError) -> JSON {
        switch json {
        case .string(let text):
            if let name = Self.wholeReference(text) { return try value(named: name) }
            return .string(try expand(text))
        case .array(let elements):
            var result: [JSON] = []
            result.reserveCapacity(elements.count)
            for element in elements { result.append(try substitute(element)) }
            return .array(result)
        case .object(let object):
            var result = JSONObject()
            for member in object { result[try expand(member.key)] = try substitute(member.value) }
            return .object(result)
        case .null, .bool, .number:
            return json
        case .encoded(let text):
            return try substitute(text.value)
        }
    }

    /// Replaces `${NAME}` by the variable's text and `$$` by `$`.
    public func expand(_ text: String) throws(TranscriptVariableError) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                result += "$"
                rest = after.dropFirst()
            } else if after.first == "{", let close = after.firstIndex(of: "}") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                result += Self.text(of: try value(named: name))
                rest = after[after.index(after: close)...]
            } else {
                result += "$"
                rest = after
            }
        }
        return result + rest
    }

    /// The name in a string that is exactly `${NAME}`.
    static func wholeReference(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        guard !name.contains("}"), !name.contains("$") else { return nil }
        return String(name)
    }

    func value(named name: String) throws(TranscriptVariableError) -> JSON {
        guard let value = values[name] else {
            throw TranscriptVariableError(name: name, known: values.keys.sorted())
        }
        return value
    }

    /// The text a value contributes inside a longer string.
    static func text(of value: JSON) -> String {
        if case .string(let text) = value { return text }
        return value.text
    }
}

/// A reference to a variable that has not been defined.
public struct TranscriptVariableError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var known: [String]

    public var description: String {
        let list = known.isEmpty ? "none" : known.joined(separator: ", ")
        return "undefined variable ${\(name)} (defined: \(list))"
    }
}
