import TaskwireProtocol

/// Why a transcript step failed, in the words and sections of its report.
struct StepFailure: Error {
    /// One line saying what went wrong.
    var headline: String
    /// Titled blocks of detail, such as the expected pattern and the actual message.
    var sections: [(title: String, body: String)] = []
    /// Clients whose stderr belongs in the report.
    var clients: [String] = []

    init(_ headline: String, clients: [String] = []) {
        self.headline = headline
        self.clients = clients
    }

    func adding(_ title: String, _ body: String) -> StepFailure {
        var copy = self
        copy.sections.append((title, body))
        return copy
    }

    /// The report text, indented under the step's location.
    func report(location: String, step: String?, stderr: (String) -> String) -> String {
        var lines = ["\(location): \(headline)"]
        if let step { lines.append("  step: \(step)") }
        for section in sections {
            lines.append("  \(section.title):")
            lines.append(Self.indent(section.body, by: "    "))
        }
        for client in clients {
            let tail = stderr(client)
            lines.append("  stderr of client \"\(client)\" (last \(Self.stderrLines) lines):")
            lines.append(tail.isEmpty ? "    (empty)" : Self.indent(tail, by: "    "))
        }
        return lines.joined(separator: "\n")
    }

    static let stderrLines = 20

    static func indent(_ text: String, by prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    /// A stdout line for a report: its text with invalid UTF-8 replaced, shortened when very long.
    static func display(_ line: [UInt8]) -> String {
        let limit = 2000
        let text = String(decoding: line.prefix(limit), as: UTF8.self)
        return line.count > limit ? text + "... (\(line.count) bytes in all)" : text
    }

    /// A stdout line for a report: pretty-printed when it is JSON.
    static func displayMessage(_ line: [UInt8]) -> String {
        guard let json = try? JSONParser.parse(line) else { return display(line) }
        return json.prettyText
    }
}
