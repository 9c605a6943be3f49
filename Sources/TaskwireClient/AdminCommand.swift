public import TaskwireProtocol

/// Runs `taskwire admin … --json` and returns the one JSON value it prints: how a program or a test sets up users,
/// organizations and projects.
public struct AdminCommand: Sendable {
    /// The `taskwire` executable.
    public let binary: String
    /// The database every command works on.
    public let database: String
    /// How long one command may take.
    public var timeout: Duration = .seconds(30)
    /// Appended to every command, after `--db` (such as `--redis URL`).
    public var extraArguments: [String] = []

    public init(binary: String, database: String) {
        self.binary = binary
        self.database = database
    }

    /// Runs `taskwire admin ARGUMENTS --json --db DATABASE`; throws with the command's stderr when it fails.
    @discardableResult
    public func run(_ arguments: [String]) throws -> JSON {
        let command = ["admin"] + arguments + ["--json", "--db", database] + extraArguments
        let environment = Environment.current.filter { name, _ in !name.hasPrefix("TASKWIRE_") }
        let process = try ChildProcess(executable: binary, arguments: command, environment: environment)
        process.closeStdin()
        let what = "taskwire " + command.joined(separator: " ")
        guard let termination = process.waitForTermination(timeout: timeout) else {
            process.kill()
            throw AdminCommandError(command: what, reason: "did not finish within \(timeout)", stderr: "", stdout: "")
        }
        process.waitForOutputEnd(timeout: .seconds(5))
        var output = process.takePendingLines().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        output += String(decoding: process.unterminatedOutput, as: UTF8.self)
        guard termination == .exited(0) else {
            throw AdminCommandError(
                command: what,
                reason: "ended with \(termination)",
                stderr: process.stderrText,
                stdout: output
            )
        }
        guard let value = try? JSONParser.parse(output) else {
            throw AdminCommandError(
                command: what,
                reason: "printed no JSON",
                stderr: process.stderrText,
                stdout: output
            )
        }
        return value
    }

    /// Adds a user; returns its id and its token.
    public func addUser(_ name: String, email: String? = nil) throws -> (id: String, token: String) {
        var arguments = ["user", "add", "--name", name]
        if let email { arguments += ["--email", email] }
        let user = try run(arguments)
        return (user["id"]?.stringValue ?? "", user["token"]?.stringValue ?? "")
    }

    /// Adds an organization owned by `owner` (a name or an id); returns its id.
    public func addOrganization(_ name: String, owner: String) throws -> String {
        try run(["org", "add", name, "--owner", owner])["id"]?.stringValue ?? ""
    }

    public func addMember(organization: String, user: String, role: String) throws {
        try run(["member", "add", "--org", organization, "--user", user, "--role", role])
    }

    /// Adds a project; returns its id.
    public func addProject(organization: String, name: String) throws -> String {
        try run(["project", "add", "--org", organization, name])["id"]?.stringValue ?? ""
    }
}

/// An admin command that failed.
public struct AdminCommandError: Error, Sendable, CustomStringConvertible {
    public let command: String
    public let reason: String
    public let stderr: String
    public let stdout: String

    public var description: String {
        var text = "`\(command)` \(reason)"
        if !stderr.isEmpty { text += ": \(stderr.trimmingSuffixNewlines)" }
        return text
    }
}

extension String {
    var trimmingSuffixNewlines: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
