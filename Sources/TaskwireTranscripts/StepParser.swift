import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTransport

/// Turns one JSON line of a transcript into a `Transcript.Action`.
struct StepParser {
    private static let actionKeys = [
        "setup", "spawn", "send", "sendRaw", "sendRawBase64", "sendRepeat", "expect", "expectUnordered",
        "expectSilence", "closeStdin", "signal", "expectExit", "sleepMs", "admin",
    ]

    private var fields: StepFields
    private let kind: String

    init(_ json: JSON) throws(TranscriptStepError) {
        fields = try StepFields(json, what: "a step")
        let fields = self.fields
        let kinds = Self.actionKeys.filter { fields.has($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            let list = Self.actionKeys.joined(separator: ", ")
            throw TranscriptStepError("a step needs exactly one of \(list)")
        }
        self.kind = kind
    }

    mutating func parse() throws(TranscriptStepError) -> Transcript.Action {
        let action = try parseAction()
        try fields.finish()
        return action
    }

    private mutating func parseAction() throws(TranscriptStepError) -> Transcript.Action {
        switch kind {
        case "setup":
            return .setup(try TranscriptSetup(fields.value("setup")!))
        case "sleepMs":
            return .sleep(try fields.milliseconds("sleepMs")!)
        case "admin":
            let arguments = try fields.array("admin") ?? []
            return .admin(
                try arguments.map { argument throws(TranscriptStepError) in
                    guard case .string(let text) = argument else {
                        throw TranscriptStepError("admin arguments must be strings")
                    }
                    return text
                }
            )
        default:
            return try parseClientAction(client: try client())
        }
    }

    private mutating func client() throws(TranscriptStepError) -> String {
        guard let client = try fields.string("client"), !client.isEmpty else {
            throw TranscriptStepError("\(kind) needs a \"client\" name")
        }
        return client
    }

    private mutating func parseClientAction(client: String) throws(TranscriptStepError) -> Transcript.Action {
        switch kind {
        case "spawn":
            return .spawn(client: client, options: try spawnOptions(fields.value("spawn")!))
        case "send":
            return .send(client: client, message: fields.value("send")!)
        case "sendRaw":
            return .sendRaw(client: client, text: try fields.requiredString("sendRaw"))
        case "sendRawBase64":
            let encoded = try fields.requiredString("sendRawBase64")
            guard let data = Data(base64Encoded: encoded) else {
                throw TranscriptStepError("sendRawBase64 is not valid base64")
            }
            return .sendBytes(client: client, bytes: Array(data))
        case "sendRepeat":
            var repeatFields = try StepFields(fields.value("sendRepeat")!, what: "sendRepeat")
            let text = try repeatFields.requiredString("text")
            guard let count = try repeatFields.count("count") else {
                throw TranscriptStepError("sendRepeat needs a count")
            }
            let then = try repeatFields.string("then") ?? ""
            try repeatFields.finish()
            return .sendRepeat(client: client, text: text, count: count, then: then)
        case "expect":
            let timeout = try fields.milliseconds("timeoutMs") ?? Transcript.defaultTimeout
            return .expect(client: client, pattern: fields.value("expect")!, timeout: timeout)
        case "expectUnordered":
            guard let patterns = try fields.array("expectUnordered"), !patterns.isEmpty else {
                throw TranscriptStepError("expectUnordered needs a non-empty array of patterns")
            }
            let timeout = try fields.milliseconds("timeoutMs") ?? Transcript.defaultTimeout
            return .expectUnordered(client: client, patterns: patterns, timeout: timeout)
        case "expectSilence":
            return .expectSilence(client: client, duration: try fields.milliseconds("expectSilence")!)
        case "closeStdin":
            guard try fields.bool("closeStdin") == true else { throw TranscriptStepError("closeStdin must be true") }
            return .closeStdin(client: client)
        case "signal":
            let name = try fields.requiredString("signal")
            guard let signal = ProcessSignal(rawValue: name) else {
                let names = ProcessSignal.allCases.map(\.rawValue).joined(separator: ", ")
                throw TranscriptStepError("unknown signal \(name); use one of \(names)")
            }
            return .signal(client: client, signal: signal)
        case "expectExit":
            guard case .number(let text) = fields.value("expectExit"), let code = Int32(text) else {
                throw TranscriptStepError("expectExit must be an exit code")
            }
            let within = try fields.milliseconds("withinMs") ?? Transcript.defaultTimeout
            return .expectExit(client: client, code: code, within: within)
        default:
            throw TranscriptStepError("unknown step \(kind)")
        }
    }

    private func spawnOptions(_ json: JSON) throws(TranscriptStepError) -> Transcript.SpawnOptions {
        var spawnFields = try StepFields(json, what: "spawn")
        var options = Transcript.SpawnOptions()
        options.token = try spawnFields.string("token")
        if let command = try spawnFields.string("command") {
            guard ["serve", "mcp"].contains(command) else {
                throw TranscriptStepError("spawn command must be \"serve\" or \"mcp\"")
            }
            options.command = command
        }
        if let framing = try spawnFields.string("framing") {
            guard let known = Framing(rawValue: framing) else {
                throw TranscriptStepError("spawn framing must be \"lines\" or \"headers\"")
            }
            options.framing = known
        }
        for argument in try spawnFields.array("args") ?? [] {
            guard case .string(let text) = argument else { throw TranscriptStepError("spawn args must be strings") }
            options.arguments.append(text)
        }
        for member in try spawnFields.object("env") ?? [:] {
            guard case .string(let value) = member.value else {
                throw TranscriptStepError("spawn env values must be strings")
            }
            options.environment.append((member.key, value))
        }
        options.redis = try spawnFields.bool("redis") ?? false
        try spawnFields.finish()
        return options
    }
}
