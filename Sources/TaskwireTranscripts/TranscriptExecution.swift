import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTransport

/// One run of one transcript: its database, its hosts, its variables.
final class TranscriptExecution {
    /// How long every host still running at the end gets to exit after its stdin is closed.
    static let finalExitTimeout = Duration.seconds(3)
    /// How long to wait for the rest of a host's output once it has exited.
    static let outputEndTimeout = Duration.seconds(1)

    let binary: String
    let transcript: Transcript
    let store: TranscriptStore
    /// Where the setup's database is copied from, when given (``SetupTemplates``).
    let templates: SetupTemplates?
    var variables = TranscriptVariables()
    /// The SQLite database's folder, removed with the execution.
    private(set) var database: TemporaryDatabase?
    /// What `--db` gets: the SQLite file's path, or the PostgreSQL database's URL.
    private(set) var databasePath = ""
    var clients: [String: ChildProcess] = [:]
    /// How each client frames what it sends.
    var framings: [String: Framing] = [:]
    /// Client names in the order they were first started, for reports and the final checks.
    var clientOrder: [String] = []
    /// The Redis server of this transcript, started by the first `spawn` that asks for one.
    var redis: RedisServer?

    init(binary: String, transcript: Transcript, store: TranscriptStore, templates: SetupTemplates? = nil) {
        self.binary = binary
        self.transcript = transcript
        self.store = store
        self.templates = templates
        // What a transcript expects of `initialize` and `relay.status` on either store, when no Redis is given.
        variables["store"] = .string(store.kind.rawValue)
        variables["relay"] = .string(store.kind == .sqlite ? RelayKind.local.rawValue : RelayKind.postgres.rawValue)
    }

    /// Runs every step, then the final checks; returns nil on success or the failure report.
    func run() -> String? {
        var current: Transcript.Step?
        do throws(StepFailure) {
            var steps = transcript.steps[...]
            if let templates, let first = steps.first, case .setup(let setup) = first.action {
                current = first
                try copyDatabase(setup, source: first.source, from: templates)
                steps = steps.dropFirst()
            } else {
                try makeDatabase()
            }
            for step in steps {
                current = step
                try perform(step.action)
            }
            current = nil
            try finish()
            stopAll()
            return nil
        } catch {
            stopAll()
            let location = "\(transcript.path):\(current?.line ?? transcript.steps.last?.line ?? 0)"
            return error.report(location: location, step: current?.source) { client in
                clients[client]?.stderrText ?? ""
            }
        }
    }

    /// A fresh database: empty, or a copy of the setup template's at `template`.
    private func makeDatabase(copying template: String? = nil) throws(StepFailure) {
        do {
            switch store {
            case .sqlite:
                let database = try TemporaryDatabase()
                self.database = database
                databasePath = database.path
                // The admin commands have all ended: their last one checkpointed the log, unless it is still there.
                for suffix in ["", "-wal"] {
                    guard let template, FileManager.default.fileExists(atPath: template + suffix) else { continue }
                    try FileManager.default.copyItem(atPath: template + suffix, toPath: database.path + suffix)
                }
            case .postgres(let server):
                databasePath = try server.createDatabase(copying: template)
            }
        } catch {
            throw StepFailure("cannot create the database: \(error)")
        }
    }

    /// A copy of the database on which `setup` was made (made now when it is the first of its kind), with the
    /// variables the setup defined.
    private func copyDatabase(
        _ setup: TranscriptSetup,
        source: String,
        from templates: SetupTemplates
    ) throws(StepFailure) {
        let storeKey =
            switch store {
            case .sqlite: "sqlite"
            case .postgres(let server): "postgres \(server.directory) \(server.port)"
            }
        let template = try templates.template(key: "\(binary)\n\(storeKey)\n\(source)", store: store) {
            (database) throws(StepFailure) in
            let before = variables
            databasePath = database
            defer {
                databasePath = ""
                variables = before
            }
            try runSetup(setup)
            return variables
        }
        try makeDatabase(copying: template.database)
        variables = template.variables
    }

    private func perform(_ action: Transcript.Action) throws(StepFailure) {
        switch action {
        case .setup(let setup):
            try runSetup(setup)
        case .spawn(let client, let options):
            try spawn(client, options: options)
        case .send(let client, let message):
            let host = try host(client)
            let body = try substitute(message).bytes
            switch framings[client] ?? .lines {
            case .lines: host.send(body + [UInt8(ascii: "\n")])
            case .headers: host.send(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
            }
        case .sendRaw(let client, let text):
            try host(client).send(try expand(text))
        case .sendBytes(let client, let bytes):
            try host(client).send(bytes)
        case .sendRepeat(let client, let text, let count, let then):
            var bytes: [UInt8] = []
            let unit = Array(text.utf8)
            bytes.reserveCapacity(unit.count * count + then.utf8.count)
            for _ in 0..<count { bytes.append(contentsOf: unit) }
            bytes.append(contentsOf: then.utf8)
            try host(client).send(bytes)
        case .expect(let client, let pattern, let timeout):
            try expect(client, pattern: pattern, timeout: timeout)
        case .expectUnordered(let client, let patterns, let timeout):
            try expectUnordered(client, patterns: patterns, timeout: timeout)
        case .expectSilence(let client, let duration):
            try expectSilence(client, duration: duration)
        case .closeStdin(let client):
            try host(client).closeStdin()
        case .signal(let client, let signal):
            let host = try host(client)
            // What the transcript sent before the signal must have reached the host before the signal does.
            host.waitUntilWritten(timeout: .seconds(2))
            host.signal(signal)
        case .expectExit(let client, let code, let within):
            try expectExit(client, code: code, within: within)
        case .sleep(let duration):
            Thread.sleep(forTimeInterval: duration.seconds)
        case .admin(let arguments):
            var expanded: [String] = []
            for argument in arguments { expanded.append(try expand(argument)) }
            _ = try admin(expanded)
        }
    }

    func substitute(_ json: JSON) throws(StepFailure) -> JSON {
        do {
            return try variables.substitute(json)
        } catch {
            throw StepFailure("\(error)")
        }
    }

    func expand(_ text: String) throws(StepFailure) -> String {
        do {
            return try variables.expand(text)
        } catch {
            throw StepFailure("\(error)")
        }
    }

    /// The host of `client`, started without a token on first use.
    func host(_ client: String) throws(StepFailure) -> ChildProcess {
        if let host = clients[client] { return host }
        try spawn(client, options: Transcript.SpawnOptions())
        return clients[client]!
    }

    private func spawn(_ client: String, options: Transcript.SpawnOptions) throws(StepFailure) {
        if let running = clients[client], running.termination == nil {
            throw StepFailure("client \"\(client)\" is already running (pid \(running.pid))")
        }
        var arguments = [options.command, "--db", databasePath]
        for argument in options.arguments { arguments.append(try expand(argument)) }
        if options.redis {
            arguments += ["--redis", try startRedis().url]
        }
        var extra: [String: String] = [:]
        if let token = options.token { extra["TASKWIRE_TOKEN"] = try expand(token) }
        for (name, value) in options.environment { extra[name] = try expand(value) }
        let host = try start(arguments, environment: extra, outputFraming: options.framing)
        framings[client] = options.framing
        if clients[client] == nil { clientOrder.append(client) }
        clients[client] = host
    }

    private func startRedis() throws(StepFailure) -> RedisServer {
        if let redis { return redis }
        do {
            let server = try RedisServer()
            redis = server
            return server
        } catch {
            throw StepFailure("cannot start redis-server: \(error)")
        }
    }

    /// Starts `taskwire` with `arguments` in the inherited environment, minus any Taskwire setting that could make
    /// the run depend on the machine, plus `extra`.
    func start(
        _ arguments: [String],
        environment extra: [String: String],
        outputFraming: Framing = .lines
    ) throws(StepFailure) -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("TASKWIRE_") || name == "TASKWIRE_LOG"
        }
        environment.merge(extra) { _, new in new }
        do {
            return try ChildProcess(
                executable: binary,
                arguments: arguments,
                environment: environment,
                outputFraming: outputFraming
            )
        } catch {
            throw StepFailure("\(error)")
        }
    }

    /// Ends every host that is still running and the Redis server.
    private func stopAll() {
        for host in clients.values where host.termination == nil { host.signal(.kill) }
        for host in clients.values {
            _ = host.waitForTermination(timeout: .seconds(5))
            host.waitForOutputEnd(timeout: Self.outputEndTimeout)
        }
        redis?.stop()
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// The duration in whole milliseconds, for reports.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
