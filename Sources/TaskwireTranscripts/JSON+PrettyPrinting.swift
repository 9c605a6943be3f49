import TaskwireProtocol

extension JSON {
    /// The value as indented JSON text for reports, members in their original order.
    var prettyText: String {
        var out = ""
        writePretty(into: &out, indent: "")
        return out
    }

    private func writePretty(into out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (offset, element) in elements.enumerated() {
                out += inner
                element.writePretty(into: &out, indent: inner)
                out += offset == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let object) where !object.isEmpty:
            out += "{\n"
            for (offset, member) in object.members.enumerated() {
                out += inner + JSON.string(member.key).text + ": "
                member.value.writePretty(into: &out, indent: inner)
                out += offset == object.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .encoded(let text):
            text.value.writePretty(into: &out, indent: indent)
        default:
            out += text
        }
    }
}
