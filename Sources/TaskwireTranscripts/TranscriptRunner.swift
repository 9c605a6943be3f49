public import TaskwireProtocol

/// Runs transcripts against a `taskwire` executable, each on a fresh temporary database of the given store.
public struct TranscriptRunner: Sendable {
    /// The path of the `taskwire` executable.
    public var binary: String
    public var store: TranscriptStore
    /// When given, each kind of setup is made once and copied for every transcript that has it.
    public var templates: SetupTemplates?

    public init(binary: String, store: TranscriptStore = .sqlite, templates: SetupTemplates? = nil) {
        self.binary = binary
        self.store = store
        self.templates = templates
    }

    /// Loads and runs the transcript at `path`.
    public func run(path: String) -> TranscriptResult {
        let start = ContinuousClock.now
        do throws(TranscriptError) {
            return run(try Transcript.load(path: path))
        } catch {
            return TranscriptResult(
                path: path,
                passed: false,
                report: "\(error)",
                duration: ContinuousClock.now - start
            )
        }
    }

    /// Runs a parsed transcript; hosts it started are ended before this returns.
    public func run(_ transcript: Transcript) -> TranscriptResult {
        let start = ContinuousClock.now
        let execution = TranscriptExecution(binary: binary, transcript: transcript, store: store, templates: templates)
        let report = execution.run()
        return TranscriptResult(
            path: transcript.path,
            passed: report == nil,
            report: report ?? "",
            duration: ContinuousClock.now - start
        )
    }
}

/// Where the hosts of a transcript keep their data: a fresh SQLite file, or a fresh database on a PostgreSQL server.
public enum TranscriptStore: Sendable {
    case sqlite
    case postgres(PostgresServer)

    public var kind: StoreKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }
}

/// The outcome of one transcript.
public struct TranscriptResult: Sendable {
    public var path: String
    public var passed: Bool
    /// Why it failed: the step, what was expected and received, the differences and the hosts' stderr.
    public var report: String
    public var duration: Duration
}
