import ArgumentParser
import TaskwireTranscripts

/// `taskwire replay`: runs fixture transcripts against this binary.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run transcripts of the Fixtures/ format against this binary; exit 1 on any failure."
    )

    @Argument(help: "Transcript files or folders of them.") var paths: [String]

    func run() throws {
        let passed = TranscriptReplay.run(paths: paths, binary: CommandLine.executablePath) { print($0) }
        if !passed { throw ExitCode.failure }
    }
}
