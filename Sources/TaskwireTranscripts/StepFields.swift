import TaskwireProtocol

/// Reads the members of one JSON object of a transcript, and rejects the members nobody read.
struct StepFields {
    private let object: JSONObject
    private let what: String
    private var read: Set<String> = []

    init(_ json: JSON, what: String) throws(TranscriptStepError) {
        guard case .object(let object) = json else { throw TranscriptStepError("\(what) must be an object") }
        self.object = object
        self.what = what
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    mutating func value(_ key: String) -> JSON? {
        read.insert(key)
        return object[key]
    }

    mutating func string(_ key: String) throws(TranscriptStepError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw TranscriptStepError("\(what): \(key) must be a string") }
        return text
    }

    mutating func requiredString(_ key: String) throws(TranscriptStepError) -> String {
        guard let text = try string(key) else { throw TranscriptStepError("\(what): \(key) is required") }
        return text
    }

    mutating func array(_ key: String) throws(TranscriptStepError) -> [JSON]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw TranscriptStepError("\(what): \(key) must be an array") }
        return elements
    }

    mutating func object(_ key: String) throws(TranscriptStepError) -> JSONObject? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else { throw TranscriptStepError("\(what): \(key) must be an object") }
        return members
    }

    mutating func bool(_ key: String) throws(TranscriptStepError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw TranscriptStepError("\(what): \(key) must be true or false") }
        return flag
    }

    /// A non-negative integer that fits in an `Int`.
    mutating func count(_ key: String) throws(TranscriptStepError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value, let number = Int(text), number >= 0 else {
            throw TranscriptStepError("\(what): \(key) must be a non-negative integer")
        }
        return number
    }

    mutating func milliseconds(_ key: String) throws(TranscriptStepError) -> Duration? {
        try count(key).map { .milliseconds($0) }
    }

    /// Fails on any member that was not read, so that a misspelt key never passes silently.
    func finish() throws(TranscriptStepError) {
        let unknown = object.keys.filter { !read.contains($0) }
        guard unknown.isEmpty else {
            throw TranscriptStepError("\(what): unknown key \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
    }
}

/// A transcript step that is not well formed.
struct TranscriptStepError: Error {
    var message: String

    init(_ message: String) { self.message = message }
}
