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

    /// The report text, indented under the step's location; `stderr` gives a client's whole stderr.
    func report(location: String, step: String?, stderr: (String) -> String) -> String {
        var lines = ["\(location): \(headline)"]
        if let step { lines.append("  step: \(step)") }
        for section in sections {
            lines.append("  \(section.title):")
            lines.append(Self.indent(section.body.isEmpty ? "(empty)" : section.body, by: "    "))
        }
        var shown = Set<String>()
        for client in clients where shown.insert(client).inserted {
            let excerpt = Self.stderrExcerpt(stderr(client))
            lines.append("  stderr of client \"\(client)\" (\(excerpt.title)):")
            lines.append(Self.indent(excerpt.text.isEmpty ? "(empty)" : excerpt.text, by: "    "))
        }
        return lines.joined(separator: "\n")
    }

    /// How many lines of stderr a report shows from its end.
    static let stderrLines = 20

    /// Lines that start the report of a Swift runtime crash, whose backtrace would push them out of the tail.
    private static let crashMarkers = [
        "Fatal error", "Fatal access conflict", "Simultaneous accesses", "Precondition failed", "Assertion failed",
        "*** Program crashed",
    ]

    /// The last lines of stderr, preceded by the start of a crash report when one scrolled out of them.
    static func stderrExcerpt(_ text: String) -> (title: String, text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        let tailStart = max(0, lines.count - stderrLines)
        let tail = lines[tailStart...].joined(separator: "\n")
        guard tailStart > 0 else { return ("all of it", tail) }
        let crash = lines[..<tailStart].firstIndex { line in crashMarkers.contains { line.contains($0) } }
        guard let crash else { return ("last \(stderrLines) lines", tail) }
        let head = lines[crash..<min(crash + 10, tailStart)].joined(separator: "\n")
        return ("the crash, then the last \(stderrLines) lines", head + "\n...\n" + tail)
    }

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
