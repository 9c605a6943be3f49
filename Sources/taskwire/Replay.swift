import ArgumentParser
import TaskwireTestSupport

/// `taskwire replay`: runs fixture transcripts against this binary.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run transcripts of the Fixtures/ format against this binary; exit 1 on any failure."
    )

    @Argument(help: "Transcript files or folders of them.") var paths: [String]

    func run() throws {
        let passed = TaskwireTestSupport.Replay.run(paths: paths, binary: CommandLine.executablePath) { print($0) }
        if !passed { throw ExitCode.failure }
    }
}
