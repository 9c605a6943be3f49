import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// The admin commands and `taskwire call`, run as a user runs them: outputs, names or ids, exit codes.
@Suite struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSON? { try? JSONParser.parse(stdout) }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TaskwireBinary.locate())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    /// Every command configuration names its command. Without `commandName`, the argument parser derives the name
    /// with `String(describing:)` of the type at every start of the host, which scans all the protocol conformances
    /// of the binary: about 1.1 million instructions per command, 28 of the 73 million a host spent from start to
    /// end of input before every command had its name (`valgrind --tool=callgrind taskwire serve < /dev/null`).
    @Test func everyCommandNamesItselfSoThatStartUpReflectsOnNone() throws {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/taskwire")
        var configurations = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for part in text.components(separatedBy: "CommandConfiguration(").dropFirst() {
                configurations += 1
                let first = part.drop { $0 == " " || $0 == "\n" }
                #expect(first.hasPrefix("commandName:"), "a command in \(file) has no commandName")
            }
        }
        #expect(configurations > 40, "the commands were not found")
    }

    @Test func adminCommandsPrintOneObjectAndAcceptNamesOrIDs() throws {
        let database = try TemporaryDatabase()
        let db = ["--db", database.path]
        let alice = try #require(try Self.run(["admin", "user", "add", "--name", "alice", "--json"] + db).json)
        #expect(alice.objectValue?.keys.sorted() == ["id", "name", "token"])
        #expect(alice["token"]?.stringValue?.hasPrefix("tw_") == true)
        let bob = try #require(
            try Self.run(["admin", "user", "add", "--name", "bob", "--email", "b@example.com", "--json"] + db).json
        )
        #expect(bob.objectValue?.keys.sorted() == ["id", "name", "token"])

        let org = try #require(try Self.run(["admin", "org", "add", "Acme", "--owner", "alice", "--json"] + db).json)
        #expect(org.objectValue?.keys.sorted() == ["id", "name"])
        let byID = try Self.run(
            [
                "admin", "member", "add", "--org", org["id"]!.stringValue!, "--user", bob["id"]!.stringValue!, "--role",
                "admin", "--json",
            ] + db
        )
        #expect(byID.json == ["userId": bob["id"]!, "organizationId": org["id"]!, "role": "admin"])
        let byName = try Self.run(
            ["admin", "member", "add", "--org", "Acme", "--user", "bob", "--role", "member", "--json"] + db
        )
        #expect(byName.json?["role"] == "member")
        let project = try #require(
            try Self.run(["admin", "project", "add", "--org", "Acme", "Website", "--json"] + db).json
        )
        #expect(project == ["id": project["id"]!, "organizationId": org["id"]!, "name": "Website"])

        let token = try #require(try Self.run(["admin", "token", "add", "--user", "bob", "--json"] + db).json)
        #expect(token.objectValue?.keys.sorted() == ["token", "userId"])
        #expect(token["userId"] == bob["id"])
        #expect(try Self.run(["admin", "token", "revoke", token["token"]!.stringValue!, "--json"] + db).json == [:])

        // Without --json, a readable line per field.
        let readable = try Self.run(["admin", "user", "add", "--name", "carol"] + db)
        #expect(readable.status == 0)
        #expect(readable.stdout.contains("token: tw_"))
    }

    /// A command named in full is parsed by that command alone (it starts faster), but what it refuses is reported
    /// as the whole command line would have it: the usage names the command from `taskwire` on, and the exit code is
    /// the argument parser's.
    @Test(arguments: [
        (["serve", "--nope"], "Usage: taskwire serve "),
        (["admin", "user", "add", "--bogus"], "Usage: taskwire admin user add "),
        (["admin", "user", "frobnicate"], "Usage: taskwire admin user <subcommand>"),
    ])
    func mistakesInANamedCommandAreReportedFromTheRoot(arguments: [String], usage: String) throws {
        let outcome = try Self.run(arguments)
        #expect(outcome.status == 64)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains(usage), "\(outcome.stderr)")
    }

    @Test(arguments: [
        ["admin", "user", "add", "--name", "alice"],
        ["admin", "org", "add", "Acme", "--owner", "nobody"],
        ["admin", "member", "add", "--org", "Acme", "--user", "alice", "--role", "boss"],
        ["admin", "project", "add", "--org", "Nowhere", "P"],
        ["admin", "token", "revoke", "tw_not_a_token"],
    ])
    func adminErrorsGoToStderrWithExitCode1(arguments: [String]) throws {
        let database = try TemporaryDatabase()
        let db = ["--db", database.path]
        _ = try Self.run(["admin", "user", "add", "--name", "alice", "--json"] + db)
        _ = try Self.run(["admin", "org", "add", "Acme", "--owner", "alice", "--json"] + db)
        let outcome = try Self.run(arguments + ["--json"] + db)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("taskwire: "))
    }

    @Test func aTLSRedisURLIsRefusedAtStartWithExitCode1() throws {
        let database = try TemporaryDatabase()
        let outcome = try Self.run(["serve", "--db", database.path, "--redis", "rediss://:hunter2@127.0.0.1:6380"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("TLS to Redis (rediss://) is not supported by this build"))
        #expect(!outcome.stderr.contains("hunter2"))
    }

    /// A PostgreSQL server that is not there: one line naming the host, never the password, and exit code 1, for
    /// the host and for an admin command alike.
    @Test func anUnreachablePostgresIsAOneLineErrorWithExitCode1() throws {
        let port = try RedisServer.freeLoopbackPort()
        let url = "postgresql://alice:sup3rsecret@127.0.0.1:\(port)/team"
        let served = try Self.run(["serve", "--db", url, "--connect-timeout", "2"])
        #expect(served.status == 1)
        #expect(served.stdout.isEmpty)
        #expect(served.stderr.contains("127.0.0.1:\(port)"), "\(served.stderr)")
        #expect(!served.stderr.contains("sup3rsecret"))
        let admin = try Self.run(["admin", "user", "add", "--name", "x", "--json", "--db", url])
        #expect(admin.status == 1)
        #expect(
            admin.stderr.hasPrefix("taskwire: cannot connect to PostgreSQL at 127.0.0.1:\(port)"),
            "\(admin.stderr)"
        )
        #expect(admin.stderr.split(separator: "\n").count == 1)
        #expect(!admin.stderr.contains("sup3rsecret"))
    }

    /// libpq is loaded on the first use of a PostgreSQL URL, not when the binary starts. With a `libpq.so.5` that
    /// is not a library first on the search path, a command on SQLite still works (a binary linked to libpq would
    /// not even start), and one on a PostgreSQL URL fails with one line and exit code 1.
    @Test func libpqIsLoadedOnlyForAPostgresURL() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskwire-libpq-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a library".utf8).write(to: directory.appendingPathComponent("libpq.so.5"))
        let inherited = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? ""
        let environment = ["LD_LIBRARY_PATH": directory.path + inherited]

        let database = try TemporaryDatabase()
        let local = try Self.run(
            ["admin", "user", "add", "--name", "alice", "--json", "--db", database.path],
            environment: environment
        )
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.json?["name"] == "alice")

        let url = "postgresql://alice:sup3rsecret@127.0.0.1:1/team"
        for arguments in [["serve", "--db", url], ["admin", "user", "add", "--name", "x", "--json", "--db", url]] {
            let outcome = try Self.run(arguments, environment: environment)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains("cannot use PostgreSQL: cannot load libpq: "), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
            #expect(!outcome.stderr.contains("sup3rsecret"))
        }
    }

    @Test func callPrintsTheResultOrFailsWithExitCode1() throws {
        let database = try TemporaryDatabase()
        let db = ["--db", database.path]
        let alice = try #require(try Self.run(["admin", "user", "add", "--name", "alice", "--json"] + db).json)
        _ = try Self.run(["admin", "org", "add", "Acme", "--owner", "alice", "--json"] + db)
        let project = try #require(
            try Self.run(["admin", "project", "add", "--org", "Acme", "Web", "--json"] + db).json
        )
        let token = alice["token"]!.stringValue!

        let created = try Self.run(
            ["call", "task.create", #"{"projectId":"\#(project["id"]!.stringValue!)","title":"From a script"}"#]
                + db + ["--token", token]
        )
        #expect(created.status == 0)
        #expect(created.json?["task"]?["title"] == "From a script")
        #expect(created.json?["seq"] == 1)

        // The token from the environment, and a method error on stderr with exit code 1.
        let missing = try Self.run(
            ["call", "task.get", #"{"id":"tsk_missing"}"#] + db,
            environment: ["TASKWIRE_TOKEN": token]
        )
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("-32004"))
        let unauthenticated = try Self.run(["call", "project.list"] + db + ["--token", "tw_wrong"])
        #expect(unauthenticated.status == 1)
        #expect(unauthenticated.stderr.contains("-32001"))
        let badJSON = try Self.run(["call", "ping", "{nope"] + db + ["--token", token])
        #expect(badJSON.status == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func demoShowsTheWholeStoryAndExits0(_ backend: StoreBackend) throws {
        let arguments = backend == .postgres ? ["demo", "--db", try TestPostgres.shared().createDatabase()] : ["demo"]
        let demo = try Self.run(arguments)
        #expect(demo.status == 0, "stderr: \(demo.stderr)")
        #expect(demo.stdout.contains("relay: \(backend == .postgres ? "postgres" : "local")"))
        for line in [
            "bob    ⇐ task.created \"Write the launch post\" by alice (seq 1)",
            "alice  ⇐ comment.created by bob",
            "error -32009 (conflict); current version 2",
            "bob    ⇐ task.moved \"Fix the signup form\" todo → in_progress, top of the column",
            "task.list order board → in_progress: Fix the signup form | in_progress: Write the launch blog post",
            "bob    → task.search \"launch blog*\" → 1 result: Write the **launch** **blog** post",
            "alice  ⇐ presence.left: bob (closed)",
        ] {
            #expect(demo.stdout.contains(line), "missing: \(line)")
        }
    }

    @Test func watchPrintsARoomLive() throws {
        let world = try TestWorld(userNames: ["alice"])
        let watch = try ChildProcess(
            executable: world.binary,
            arguments: ["watch", "--project", world.projectID, "--db", world.database.path],
            environment: ProcessInfo.processInfo.environment.merging(["TASKWIRE_TOKEN": world.users[0].token]) { $1 }
        )
        defer { watch.kill() }
        let header = watch.nextLine(timeout: .seconds(10)).map { String(decoding: $0, as: UTF8.self) }
        #expect(header?.hasPrefix("Watching \(world.projectID) as alice at seq 0") == true)
        let writer = try world.host(as: world.users[0])
        try writer.call("task.create", ["projectId": .string(world.projectID), "title": "Seen live"])
        var lines: [String] = []
        while let line = watch.nextLine(timeout: .seconds(10)) {
            lines.append(String(decoding: line, as: UTF8.self))
            if lines.last?.contains("Seen live") == true { break }
        }
        #expect(lines.contains("#1 task.created by alice: \"Seen live\" [todo] v1"), "watch printed: \(lines)")
    }

    @Test func boardWithoutATerminalSaysSoWithExitCode1() throws {
        let database = try TemporaryDatabase()
        let board = try Self.run(["board", "--project", "prj_x", "--token", "tw_x", "--db", database.path])
        #expect(board.status == 1)
        #expect(board.stderr.contains("the board needs a terminal"))
        #expect(board.stdout.isEmpty)
    }
}

/// Every command's `--help` shows an example, and the shell completion scripts are generated.
@Suite struct CommandHelpTests {
    static let commands: [[String]] =
        [
            ["serve"], ["mcp"], ["doctor"], ["call"], ["watch"], ["board"], ["demo"], ["replay"], ["admin"],
            ["admin", "backup"], ["admin", "restore"],
        ]
        + ["user", "org", "project", "token"].flatMap { noun in
            ["add", "list", "show", "remove"].map { ["admin", noun, $0] }
        } + [
            ["admin", "user", "rename"], ["admin", "org", "rename"], ["admin", "project", "rename"],
            ["admin", "token", "revoke"], ["admin", "member", "add"], ["admin", "member", "list"],
            ["admin", "member", "show"], ["admin", "member", "remove"], ["admin", "member", "set-role"],
        ]

    @Test(arguments: commands)
    func helpHasAnExample(_ command: [String]) throws {
        let help = try CommandLineTests.run(command + ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Example"), "\(command.joined(separator: " ")) --help has no example")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) throws {
        let script = try CommandLineTests.run(["--generate-completion-script", shell])
        #expect(script.status == 0)
        #expect(script.stdout.contains("taskwire") && script.stdout.contains("doctor"))
    }
}
