public import TaskwireProtocol

/// Matches JSON messages against transcript patterns, capturing values and describing every difference.
///
/// A pattern is a JSON value compared structurally: objects need the same member names unless the pattern has
/// `"...": true`; arrays match element by element (or in any order when their first element is `"$unordered"`);
/// numbers compare by their exact text. The strings `$any`, `$string`, `$number`, `$integer`, `$object`, `$array`,
/// `$bool`, `$time`, `$id`, `$capture:NAME` and `$capture:NAME:TYPE` are markers; `${NAME}` refers to a variable.
public struct PatternMatcher: Sendable {
    /// One place where a message differs from its pattern.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        /// Where, as `$.error.code` or `$[1].id`.
        public var path: String
        public var message: String

        public var description: String { "\(path): \(message)" }
    }

    /// The result of a match: no differences means it matched, and then `captures` hold the captured values.
    public struct Outcome: Sendable {
        public var differences: [Difference] = []
        public var captures: [String: JSON] = [:]

        public var matched: Bool { differences.isEmpty }
    }

    public var variables: TranscriptVariables

    public init(variables: TranscriptVariables = TranscriptVariables()) {
        self.variables = variables
    }

    /// Matches one message against one pattern.
    public func match(_ pattern: JSON, _ actual: JSON) -> Outcome {
        var outcome = Outcome()
        match(pattern, actual, path: "$", into: &outcome)
        return outcome
    }

    /// Pairs every message with a distinct pattern; nil when no pairing matches them all.
    ///
    /// The result lists, for each pattern in order, the index of its message, plus everything captured.
    public func matchUnordered(_ patterns: [JSON], _ actuals: [JSON]) -> (assignment: [Int], captures: [String: JSON])?
    {
        guard patterns.count == actuals.count else { return nil }
        var table: [[Outcome]] = []
        for pattern in patterns { table.append(actuals.map { match(pattern, $0) }) }
        var assignment: [Int] = []
        var used = Array(repeating: false, count: actuals.count)
        func place(_ index: Int) -> Bool {
            guard index < patterns.count else { return true }
            for candidate in actuals.indices where !used[candidate] && table[index][candidate].matched {
                used[candidate] = true
                assignment.append(candidate)
                if place(index + 1) { return true }
                assignment.removeLast()
                used[candidate] = false
            }
            return false
        }
        guard place(0) else { return nil }
        var captures: [String: JSON] = [:]
        for (index, candidate) in assignment.enumerated() {
            captures.merge(table[index][candidate].captures) { _, new in new }
        }
        return (assignment, captures)
    }

    private func match(_ pattern: JSON, _ actual: JSON, path: String, into outcome: inout Outcome) {
        switch pattern {
        case .string(let text):
            matchString(text, actual, path: path, into: &outcome)
        case .object(let object):
            matchObject(object, actual, path: path, into: &outcome)
        case .array(let elements):
            if elements.first == .string(PatternMarker.unordered) {
                matchUnorderedArray(Array(elements.dropFirst()), actual, path: path, into: &outcome)
            } else {
                matchArray(elements, actual, path: path, into: &outcome)
            }
        case .null, .bool, .number:
            if pattern != actual { outcome.differ(path, "expected \(pattern.brief), got \(actual.brief)") }
        case .encoded(let text):
            match(text.value, actual, path: path, into: &outcome)
        }
    }

    private func matchString(_ text: String, _ actual: JSON, path: String, into outcome: inout Outcome) {
        if let marker = PatternMarker(text) {
            switch marker {
            case .type(let type):
                if !type.accepts(actual) { outcome.differ(path, "expected \(text), got \(actual.brief)") }
            case .capture(let name, let type):
                if let type, !type.accepts(actual) {
                    outcome.differ(path, "expected \(type.marker) to capture as \(name), got \(actual.brief)")
                } else {
                    outcome.captures[name] = actual
                }
            case .unknown:
                outcome.differ(path, "unknown pattern marker \(text) (write $$ for a literal $)")
            }
            return
        }
        let expected: JSON
        do throws(TranscriptVariableError) {
            if let name = TranscriptVariables.wholeReference(text) {
                expected = try variables.value(named: name)
            } else {
                expected = .string(try variables.expand(text))
            }
        } catch {
            outcome.differ(path, "\(error)")
            return
        }
        if expected != actual { outcome.differ(path, "expected \(expected.brief), got \(actual.brief)") }
    }

    private func matchObject(_ pattern: JSONObject, _ actual: JSON, path: String, into outcome: inout Outcome) {
        guard case .object(let object) = actual else {
            outcome.differ(path, "expected an object, got \(actual.brief)")
            return
        }
        let allowsExtra = pattern[PatternMarker.extraMembers] == .bool(true)
        var expectedKeys = Set<String>()
        for member in pattern where !(allowsExtra && member.key == PatternMarker.extraMembers) {
            let key: String
            do throws(TranscriptVariableError) {
                key = try variables.expand(member.key)
            } catch {
                outcome.differ(path, "\(error)")
                continue
            }
            expectedKeys.insert(key)
            let memberPath = Self.path(path, key: key)
            if let value = object[key] {
                match(member.value, value, path: memberPath, into: &outcome)
            } else {
                outcome.differ(memberPath, "missing (expected \(member.value.brief))")
            }
        }
        guard !allowsExtra else { return }
        for member in object where !expectedKeys.contains(member.key) {
            outcome.differ(Self.path(path, key: member.key), "unexpected member with value \(member.value.brief)")
        }
    }

    private func matchArray(_ pattern: [JSON], _ actual: JSON, path: String, into outcome: inout Outcome) {
        guard case .array(let elements) = actual else {
            outcome.differ(path, "expected an array, got \(actual.brief)")
            return
        }
        if pattern.count != elements.count {
            outcome.differ(path, "expected \(pattern.count) elements, got \(elements.count)")
        }
        for index in 0..<min(pattern.count, elements.count) {
            match(pattern[index], elements[index], path: "\(path)[\(index)]", into: &outcome)
        }
    }

    private func matchUnorderedArray(_ pattern: [JSON], _ actual: JSON, path: String, into outcome: inout Outcome) {
        guard case .array(let elements) = actual else {
            outcome.differ(path, "expected an array, got \(actual.brief)")
            return
        }
        guard pattern.count == elements.count else {
            outcome.differ(path, "expected \(pattern.count) elements in any order, got \(elements.count)")
            return
        }
        guard let (_, captures) = matchUnordered(pattern, elements) else {
            outcome.differ(path, "no order of the elements matches the patterns")
            for (index, element) in pattern.enumerated() where !elements.contains(where: { match(element, $0).matched })
            {
                outcome.differ(path, "no element matches pattern #\(index) \(element.brief)")
            }
            return
        }
        outcome.captures.merge(captures) { _, new in new }
    }

    /// The path of a member: `$.name` for plain names, `$["odd name"]` otherwise.
    static func path(_ parent: String, key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
        return plain ? "\(parent).\(key)" : "\(parent)[\(JSON.string(key).text)]"
    }
}

extension PatternMatcher.Outcome {
    fileprivate mutating func differ(_ path: String, _ message: String) {
        differences.append(PatternMatcher.Difference(path: path, message: message))
    }
}

extension JSON {
    /// The compact text of the value, shortened for one line of a report.
    var brief: String {
        let text = self.text
        guard text.count > 120 else { return text }
        return text.prefix(117) + "..."
    }
}
