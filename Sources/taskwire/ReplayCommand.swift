import ArgumentParser
import TaskwireTranscripts

/// `taskwire replay`: runs fixture transcripts against this binary.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run transcripts of the Fixtures/ format against this binary; exit 1 on any failure.",
        discussion: "Example: taskwire replay Fixtures/mcp Fixtures/protocol/ping.jsonl"
    )

    @Argument(help: "Transcript files or folders of them.") var paths: [String]
    @Option(
        help: """
            sqlite (a fresh file per transcript) or postgres (a fresh database per transcript on a throwaway \
            PostgreSQL cluster this command starts and stops; needs PostgreSQL's server binaries).
            """
    )
    var store: StoreChoice = .sqlite

    func run() throws {
        let transcriptStore: TranscriptStore
        switch store {
        case .sqlite:
            transcriptStore = .sqlite
        case .postgres:
            do {
                transcriptStore = .postgres(try PostgresServer())
            } catch {
                throw fail("cannot start a PostgreSQL server for the transcripts: \(error)")
            }
        }
        let passed = TranscriptReplay.run(paths: paths, binary: CommandLine.executablePath, store: transcriptStore) {
            print($0)
        }
        if case .postgres(let server) = transcriptStore { server.stopAndRemove() }
        if !passed { throw ExitCode.failure }
    }
}

/// The stores `--store` names.
enum StoreChoice: String, ExpressibleByArgument {
    case sqlite
    case postgres
}
