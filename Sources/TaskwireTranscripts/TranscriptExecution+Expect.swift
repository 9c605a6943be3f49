import TaskwireClient
import TaskwireProtocol

extension TranscriptExecution {
    /// The next message of `client` must match `pattern`.
    func expect(_ client: String, pattern: JSON, timeout: Duration) throws(StepFailure) {
        let host = try host(client)
        let matcher = PatternMatcher(variables: variables)
        guard let line = host.nextLine(timeout: timeout) else {
            throw noMessage(client, host: host, timeout: timeout).adding("expected", display(pattern))
        }
        let message = try parse(line, client: client)
        let outcome = matcher.match(pattern, message)
        guard outcome.matched else {
            throw StepFailure("the message from client \"\(client)\" does not match", clients: [client])
                .adding("expected", display(pattern))
                .adding("actual", message.prettyText)
                .adding("differences", outcome.differences.map(\.description).joined(separator: "\n"))
        }
        capture(outcome.captures)
    }

    /// The next messages of `client` must match `patterns`, in any order.
    func expectUnordered(_ client: String, patterns: [JSON], timeout: Duration) throws(StepFailure) {
        let host = try host(client)
        let matcher = PatternMatcher(variables: variables)
        let deadline = ContinuousClock.now + timeout
        var messages: [JSON] = []
        while messages.count < patterns.count {
            guard let line = host.nextLine(timeout: max(.zero, deadline - ContinuousClock.now)) else {
                throw noMessage(client, host: host, timeout: timeout)
                    .adding(
                        "received \(messages.count) of \(patterns.count)",
                        messages.map(\.prettyText).joined(separator: "\n")
                    )
                    .adding("expected, in any order", patterns.map { display($0) }.joined(separator: "\n"))
            }
            messages.append(try parse(line, client: client))
        }
        guard let (_, captures) = matcher.matchUnordered(patterns, messages) else {
            var failure = StepFailure(
                "the \(messages.count) messages from client \"\(client)\" do not match the patterns in any order",
                clients: [client]
            )
            failure = failure.adding("actual", messages.map(\.prettyText).joined(separator: "\n"))
            for (index, pattern) in patterns.enumerated() {
                let closest = messages.map { matcher.match(pattern, $0).differences }.min { $0.count < $1.count } ?? []
                let verdict =
                    closest.isEmpty
                    ? "(matches a message that another pattern needs)"
                    : "closest message differs at:\n" + closest.map(\.description).joined(separator: "\n")
                failure = failure.adding("pattern #\(index + 1)", display(pattern) + "\n" + verdict)
            }
            throw failure
        }
        capture(captures)
    }

    /// `client` must write nothing for `duration`.
    func expectSilence(_ client: String, duration: Duration) throws(StepFailure) {
        let host = try host(client)
        guard let line = host.nextLine(timeout: duration) else { return }
        throw StepFailure(
            "expected no message from client \"\(client)\" for \(duration.milliseconds) ms, got one",
            clients: [client]
        )
        .adding("actual", StepFailure.displayMessage(line))
    }

    /// `client` must exit with `code` within `within`, having had all its messages expected.
    func expectExit(_ client: String, code: Int32, within: Duration) throws(StepFailure) {
        let host = try host(client)
        guard let termination = host.waitForTermination(timeout: within) else {
            throw StepFailure(
                "client \"\(client)\" is still running \(within.milliseconds) ms later (expected exit code \(code))",
                clients: [client]
            )
        }
        guard termination == .exited(code) else {
            throw StepFailure(
                "client \"\(client)\" ended with \(termination), expected exit code \(code)",
                clients: [client]
            )
        }
        host.waitForOutputEnd(timeout: Self.outputEndTimeout)
        if let problem = leftoverOutput(client, host: host) { throw problem }
    }

    /// The end of a transcript: every host still running must exit promptly and cleanly on end of stdin, and no
    /// host may have written a message that no step expected.
    func finish() throws(StepFailure) {
        var problems: [String] = []
        var involved: [String] = []
        for client in clientOrder {
            let host = clients[client]!
            if host.termination == nil {
                host.closeStdin()
                if let termination = host.waitForTermination(timeout: Self.finalExitTimeout) {
                    if termination != .exited(0) {
                        problems.append(
                            "client \"\(client)\" ended with \(termination) at end of input, expected exit code 0"
                        )
                        involved.append(client)
                    }
                } else {
                    problems.append(
                        "client \"\(client)\" did not exit within \(Self.finalExitTimeout.milliseconds) ms after its stdin was closed"
                    )
                    involved.append(client)
                    host.kill()
                }
            }
            host.waitForOutputEnd(timeout: Self.outputEndTimeout)
            if let problem = leftoverOutput(client, host: host) {
                let sections = problem.sections.map { "  \($0.title):\n" + StepFailure.indent($0.body, by: "    ") }
                problems.append(([problem.headline] + sections).joined(separator: "\n"))
                involved.append(client)
            }
        }
        guard problems.isEmpty else {
            throw StepFailure("at the end of the transcript", clients: involved)
                .adding("problems", problems.joined(separator: "\n"))
        }
    }

    /// A failure listing the messages of `client` that no step took, or its output that is not a whole line.
    private func leftoverOutput(_ client: String, host: ChildProcess) -> StepFailure? {
        let pending = host.takePendingLines()
        let tail = host.unterminatedOutput
        guard !pending.isEmpty || !tail.isEmpty else { return nil }
        var failure = StepFailure("client \"\(client)\" wrote output that no step expected", clients: [client])
        if !pending.isEmpty {
            failure = failure.adding(
                "\(pending.count) unexpected message(s)",
                pending.map(StepFailure.displayMessage).joined(separator: "\n")
            )
        }
        if !tail.isEmpty {
            failure = failure.adding("output after the last newline", StepFailure.display(tail))
        }
        return failure
    }

    private func noMessage(_ client: String, host: ChildProcess, timeout: Duration) -> StepFailure {
        if host.isStdoutClosed {
            let how = host.waitForTermination(timeout: .seconds(1)).map { " (\($0))" } ?? ""
            return StepFailure(
                "client \"\(client)\" closed its stdout\(how) before the expected message",
                clients: [client]
            )
        }
        return StepFailure("no message from client \"\(client)\" within \(timeout.milliseconds) ms", clients: [client])
    }

    private func parse(_ line: [UInt8], client: String) throws(StepFailure) -> JSON {
        do {
            return try JSONParser.parse(line)
        } catch {
            throw StepFailure("client \"\(client)\" wrote a stdout line that is not JSON (\(error))", clients: [client])
                .adding("line", StepFailure.display(line))
        }
    }

    private func capture(_ captures: [String: JSON]) {
        for (name, value) in captures { variables[name] = value }
    }

    /// A pattern for a report, with the variables it uses filled in when they are all known.
    private func display(_ pattern: JSON) -> String {
        ((try? variables.substitute(pattern)) ?? pattern).prettyText
    }
}
