import Foundation
public import TaskwireProtocol

/// Runs `taskwire admin … --json` against a database and returns the printed object.
public struct AdminCLI: Sendable {
    public let binary: String
    public let databasePath: String

    public init(binary: String, databasePath: String) {
        self.binary = binary
        self.databasePath = databasePath
    }

    /// Runs `taskwire admin ARGS --json --db PATH`; throws with stderr when it fails.
    @discardableResult
    public func run(_ arguments: [String]) throws -> JSON {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["admin"] + arguments + ["--json", "--db", databasePath]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RPCClientError(description: "admin \(arguments.joined(separator: " ")) failed: \(errorText)")
        }
        return try JSONParser.parse(Array(data))
    }

    /// Adds a user; returns `(id, token)`.
    public func addUser(_ name: String) throws -> (id: String, token: String) {
        let user = try run(["user", "add", "--name", name])
        return (user["id"]!.stringValue!, user["token"]!.stringValue!)
    }

    /// Adds an organization owned by `owner`; returns its id.
    public func addOrganization(_ name: String, owner: String) throws -> String {
        try run(["org", "add", name, "--owner", owner])["id"]!.stringValue!
    }

    public func addMember(organization: String, user: String, role: String) throws {
        try run(["member", "add", "--org", organization, "--user", user, "--role", role])
    }

    /// Adds a project; returns its id.
    public func addProject(organization: String, name: String) throws -> String {
        try run(["project", "add", "--org", organization, name])["id"]!.stringValue!
    }
}
