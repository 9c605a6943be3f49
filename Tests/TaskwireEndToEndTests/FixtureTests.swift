import Foundation
import TaskwireClient
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// Runs every transcript under `Fixtures/` against the built `taskwire`.
@Suite struct FixtureTests {
    /// The package's `Fixtures/` directory, found from this file's location.
    static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .path

    /// Transcript paths relative to `Fixtures/`, which name the test cases.
    static let transcripts: [String] = {
        let prefix = fixturesDirectory + "/"
        let files = (try? TranscriptReplay.transcriptFiles(at: fixturesDirectory)) ?? []
        return files.map { String($0.dropFirst(prefix.count)) }
    }()

    @Test func fixturesExist() {
        #expect(!Self.transcripts.isEmpty, "no transcripts found under \(Self.fixturesDirectory)")
    }

    /// Every transcript on both stores: the same contract, whichever database the hosts share.
    @Test(arguments: StoreBackend.allCases, transcripts)
    func transcript(_ backend: StoreBackend, _ name: String) async throws {
        let binary = try TaskwireBinary.locate()
        let path = Self.fixturesDirectory + "/" + name
        let store: TranscriptStore =
            switch backend {
            case .sqlite: .sqlite
            case .postgres: .postgres(try TestPostgres.shared())
            }
        let result = await FixtureSlots.run { TranscriptRunner(binary: binary, store: store).run(path: path) }
        if !result.passed {
            Issue.record(Comment(rawValue: "\n" + result.report))
        }
    }
}

/// Runs transcripts on their own threads, a few at a time.
///
/// A transcript blocks while it waits for hosts, so it stays off the cooperative pool; the limit keeps timing
/// expectations (silence, exit within 2 s) meaningful on a small machine.
private enum FixtureSlots {
    static let slots = DispatchSemaphore(value: max(4, ProcessInfo.processInfo.activeProcessorCount))

    static func run(_ body: @escaping @Sendable () -> TranscriptResult) async -> TranscriptResult {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(returning: body())
            }
        }
    }
}
