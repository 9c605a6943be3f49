import TaskwireProtocol

/// The field rules of Protocol/openrpc.json (entities and limits). Each failure names its field and reason; nothing is stored.
package enum Validation {
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    package static func name(_ text: String, field: String) throws(StoreError) -> String {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .invalid(field, "must not be empty") }
        guard Limits.nameScalars.contains(trimmed.unicodeScalars.count) else {
            throw .invalid(field, "must be at most \(Limits.nameScalars.upperBound) characters")
        }
        // A name is shown in tables, logs and one-line messages: no line breaks, no terminal escapes.
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw .invalid(field, "must not contain control characters")
        }
        return trimmed
    }

    package static func title(_ text: String) throws(StoreError) -> String {
        guard !isBlank(text) else { throw .invalid("title", "must not be empty or only white space") }
        guard text.unicodeScalars.count <= Limits.titleScalars.upperBound else {
            throw .invalid("title", "must be at most \(Limits.titleScalars.upperBound) characters")
        }
        return text
    }

    package static func description(_ text: String) throws(StoreError) -> String {
        guard text.utf8.count <= Limits.descriptionBytes else {
            throw .invalid("description", "must be at most \(Limits.descriptionBytes) bytes")
        }
        return text
    }

    package static func body(_ text: String) throws(StoreError) -> String {
        guard !isBlank(text) else { throw .invalid("body", "must not be empty or only white space") }
        guard text.utf8.count <= Limits.commentBodyBytes else {
            throw .invalid("body", "must be at most \(Limits.commentBodyBytes) bytes")
        }
        return text
    }

    package static func labels(_ labels: [String]) throws(StoreError) -> [String] {
        guard labels.count <= Limits.labelCount else {
            throw .invalid("labels", "at most \(Limits.labelCount) labels")
        }
        for label in labels where !Limits.labelScalars.contains(label.unicodeScalars.count) {
            throw .invalid("labels", "each label must be 1 to \(Limits.labelScalars.upperBound) characters")
        }
        return labels
    }

    /// A real calendar date written `YYYY-MM-DD`.
    package static func dueDate(_ text: String) throws(StoreError) -> String {
        let bytes = Array(text.utf8)
        let digits = [0, 1, 2, 3, 5, 6, 8, 9]
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            digits.allSatisfy({ bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") })
        else { throw .invalid("dueDate", "must be a date written YYYY-MM-DD") }
        let year = Int(text.prefix(4))!
        let month = Int(text.dropFirst(5).prefix(2))!
        let day = Int(text.suffix(2))!
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else {
            throw .invalid("dueDate", "must be a real calendar date")
        }
        return text
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension Validation {
    /// The fields of a new task, checked and with their defaults filled in (an empty description, no labels):
    /// what every store inserts.
    package static func newTask(_ task: NewTask) throws(StoreError) -> NewTask {
        var checked = task
        checked.title = try title(task.title)
        checked.description = try description(task.description ?? "")
        checked.labels = try labels(task.labels ?? [])
        checked.dueDate = try task.dueDate.map { (text) throws(StoreError) in try dueDate(text) }
        return checked
    }

    /// The fields a patch sets, checked; absent fields stay absent.
    package static func patch(_ patch: TaskPatch) throws(StoreError) -> TaskPatch {
        var checked = patch
        checked.title = try patch.title.map { (text) throws(StoreError) in try title(text) }
        checked.description = try patch.description.map { (text) throws(StoreError) in try description(text) }
        checked.labels = try patch.labels.map { (list) throws(StoreError) in try labels(list) }
        if case .value(let text) = patch.dueDate { checked.dueDate = .value(try dueDate(text)) }
        return checked
    }
}
