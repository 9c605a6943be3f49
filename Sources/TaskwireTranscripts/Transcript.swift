import Foundation
public import TaskwireClient
public import TaskwireProtocol
public import TaskwireTransport

/// A parsed transcript: the `.jsonl` description of what clients send to hosts and what they must receive.
///
/// The format is described in `Fixtures/README.md`.
public struct Transcript: Sendable {
    /// One step, with the line it came from.
    public struct Step: Sendable {
        public var line: Int
        /// The line as written, for reports.
        public var source: String
        public var action: Action
    }

    /// What a step does. Strings in it are substituted with variables when the step runs.
    public enum Action: Sendable {
        case setup(TranscriptSetup)
        case spawn(client: String, options: SpawnOptions)
        case send(client: String, message: JSON)
        case sendRaw(client: String, text: String)
        case sendBytes(client: String, bytes: [UInt8])
        case sendRepeat(client: String, text: String, count: Int, then: String)
        case expect(client: String, pattern: JSON, timeout: Duration)
        case expectUnordered(client: String, patterns: [JSON], timeout: Duration)
        case expectSilence(client: String, duration: Duration)
        case closeStdin(client: String)
        case signal(client: String, signal: ProcessSignal)
        case expectExit(client: String, code: Int32, within: Duration)
        case sleep(Duration)
        /// Runs `taskwire admin ARGUMENTS --json --db DB`, which must succeed.
        case admin([String])

        /// The client the step acts on, if any.
        public var client: String? {
            switch self {
            case .setup, .sleep, .admin: nil
            case .spawn(let client, _), .send(let client, _), .sendRaw(let client, _), .sendBytes(let client, _),
                .sendRepeat(let client, _, _, _), .expect(let client, _, _), .expectUnordered(let client, _, _),
                .expectSilence(let client, _), .closeStdin(let client), .signal(let client, _),
                .expectExit(let client, _, _):
                client
            }
        }
    }

    /// How a host is started by a `spawn` step.
    public struct SpawnOptions: Sendable {
        /// Put into the host's `TASKWIRE_TOKEN`; never sent by itself.
        public var token: String?
        /// The subcommand: `serve` (JSON-RPC) or `mcp` (the Model Context Protocol).
        public var command = "serve"
        /// How `send` steps frame messages and how the host's output is split: lines, or LSP-style headers
        /// (`Content-Length: N`, a blank line, N bytes).
        public var framing = Framing.lines
        /// Appended to `COMMAND --db DB`.
        public var arguments: [String] = []
        /// Added to the host's environment.
        public var environment: [(String, String)] = []
        /// Whether to append `--redis URL` of the transcript's Redis server.
        public var redis = false

        public init() {}
    }

    /// Where the transcript was read from.
    public var path: String
    public var steps: [Step]

    /// How long an `expect` waits when the step does not say.
    public static let defaultTimeout = Duration.seconds(10)

    /// Reads and parses the transcript at `path`.
    public static func load(path: String) throws(TranscriptError) -> Transcript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TranscriptError(path: path, line: 0, message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses transcript text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(TranscriptError) -> Transcript {
        var steps: [Step] = []
        let lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, bytes) in lines.enumerated() {
            let line = offset + 1
            let source = String(decoding: bytes, as: UTF8.self)[...].trimmingWhitespace()
            guard !source.isEmpty, !source.hasPrefix("//") else { continue }
            let json: JSON
            do throws(JSONParseError) {
                json = try JSONParser.parse(String(source))
            } catch {
                throw TranscriptError(path: path, line: line, message: "not JSON: \(error)")
            }
            do throws(TranscriptStepError) {
                var parser = try StepParser(json)
                let action = try parser.parse()
                if case .setup = action, !steps.isEmpty {
                    throw TranscriptStepError("setup must be the first step")
                }
                steps.append(Step(line: line, source: String(source), action: action))
            } catch {
                throw TranscriptError(path: path, line: line, message: error.message)
            }
        }
        return Transcript(path: path, steps: steps)
    }
}

/// A transcript that cannot be read or parsed, with the line at fault.
public struct TranscriptError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
