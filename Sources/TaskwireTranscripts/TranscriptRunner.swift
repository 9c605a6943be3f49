/// Runs transcripts against a `taskwire` executable, each on a fresh temporary database.
public struct TranscriptRunner: Sendable {
    /// The path of the `taskwire` executable.
    public var binary: String

    public init(binary: String) {
        self.binary = binary
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
        let execution = TranscriptExecution(binary: binary, transcript: transcript)
        let report = execution.run()
        return TranscriptResult(
            path: transcript.path,
            passed: report == nil,
            report: report ?? "",
            duration: ContinuousClock.now - start
        )
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
