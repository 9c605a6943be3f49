import Foundation
public import TaskwireClient
import TaskwireSync
public import TaskwireTranscripts

/// A temporary database with users, one organization and one project, made through the admin CLI, and the hosts
/// started on it: the common ground of end-to-end tests.
///
/// - Important: Keep the world alive for as long as its hosts are used: when it goes away, it closes the stdin of
///   every host it started, waits for them to exit (killing those that do not) and removes the database.
public final class TestWorld: Sendable {
    /// A user created by the admin CLI, with a token to initialize a session.
    public struct User: Sendable {
        public let id: String
        public let name: String
        public let token: String
    }

    /// The `taskwire` executable.
    public let binary: String
    public let database: TemporaryDatabase
    public let admin: AdminCommand
    /// The users, in the order they were named; the first owns the organization, the others are members.
    public let users: [User]
    public let organizationID: String
    public let projectID: String
    private let hosts = Locked<[TaskwireConnection]>([])

    /// Creates the database, the users named `userNames`, the organization and its project.
    public init(userNames: [String]) throws {
        precondition(!userNames.isEmpty, "a world needs at least its owner")
        binary = try TaskwireBinary.locate()
        database = try TemporaryDatabase()
        admin = AdminCommand(binary: binary, database: database.path)
        var users: [User] = []
        for name in userNames {
            let (id, token) = try admin.addUser(name)
            users.append(User(id: id, name: name, token: token))
        }
        organizationID = try admin.addOrganization("org", owner: users[0].id)
        for user in users.dropFirst() {
            try admin.addMember(organization: organizationID, user: user.id, role: "member")
        }
        projectID = try admin.addProject(organization: organizationID, name: "project")
        self.users = users
    }

    deinit {
        let started = hosts.withLock { $0 }
        for host in started { host.process.closeStdin() }
        for host in started where host.process.waitForExit(timeout: .seconds(5)) == nil {
            host.process.kill()
        }
    }

    /// Starts `taskwire serve` on the world's database and initializes its session as `user`.
    public func host(as user: User) throws -> TaskwireConnection {
        let host = try TaskwireConnection.serve(
            binary: binary,
            arguments: ["--db", database.path],
            inherit: Self.inheritsVariable
        )
        hosts.withLock { $0.append(host) }
        try host.initialize(token: user.token)
        return host
    }

    /// Which variables of the test process's environment a host inherits: none of the Taskwire settings but the log
    /// level, so that a run never depends on the machine.
    public static func inheritsVariable(_ name: String) -> Bool {
        !name.hasPrefix("TASKWIRE_") || name == "TASKWIRE_LOG"
    }

    /// What `PRAGMA integrity_check` says of the database, through the `sqlite3` command-line shell.
    public func integrityCheck() throws -> String {
        try sqlite("PRAGMA integrity_check;")
    }

    /// The output of one SQL statement run on the database by the `sqlite3` command-line shell.
    public func sqlite(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database.path, sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
