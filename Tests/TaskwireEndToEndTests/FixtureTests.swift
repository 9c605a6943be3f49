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

    /// Each kind of setup made once per store, for the whole run.
    static let templates = SetupTemplates()

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
        let result = await FixtureSlots.run {
            TranscriptRunner(binary: binary, store: store, templates: Self.templates).run(path: path)
        }
        if !result.passed {
            Issue.record(Comment(rawValue: "\n" + result.report))
        }
    }
}

/// Transcripts with the same setup get copies of one database: each its own, with the setup's rows and variables.
@Suite struct SetupTemplateTests {
    @Test(arguments: StoreBackend.allCases)
    func eachTranscriptWritesToItsOwnCopy(_ backend: StoreBackend) async throws {
        let binary = try TaskwireBinary.locate()
        let store: TranscriptStore =
            switch backend {
            case .sqlite: .sqlite
            case .postgres: .postgres(try TestPostgres.shared())
            }
        // A task created in a fresh copy is its project's first event, however many copies wrote before.
        let text = #"""
            {"setup": {"users": ["alice"], "orgs": [{"name": "acme", "owner": "alice"}], "projects": [{"org": "acme", "name": "web"}]}}
            {"client": "a", "send": {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "1", "token": "${alice.token}"}}}
            {"client": "a", "expect": {"jsonrpc": "2.0", "id": 0, "result": {"user": {"id": "${alice.id}", "name": "alice"}, "...": true}}}
            {"client": "a", "expect": {"jsonrpc": "2.0", "method": "relay.status", "params": {"...": true}}}
            {"client": "a", "send": {"jsonrpc": "2.0", "id": 1, "method": "task.create", "params": {"projectId": "${web.id}", "title": "mine"}}}
            {"client": "a", "expect": {"jsonrpc": "2.0", "id": 1, "result": {"task": {"projectId": "${web.id}", "...": true}, "seq": 1}}}
            {"client": "a", "send": {"jsonrpc": "2.0", "id": 2, "method": "task.list", "params": {"projectId": "${web.id}"}}}
            {"client": "a", "expect": {"jsonrpc": "2.0", "id": 2, "result": {"tasks": [{"title": "mine", "...": true}], "...": true}}}
            """#
        let transcript = try Transcript.parse(text, path: "copies.jsonl")
        let templates = SetupTemplates()
        for turn in 1...3 {
            let result = await FixtureSlots.run {
                TranscriptRunner(binary: binary, store: store, templates: templates).run(transcript)
            }
            #expect(result.passed, "turn \(turn):\n\(result.report)")
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
