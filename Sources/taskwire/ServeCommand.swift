import ArgumentParser
import TaskwireServer
import TaskwireTransport

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve one client over stdin/stdout (the default command).",
        discussion: """
            Example, one request from a shell:
              printf '%s\\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1"}}' \\
                | TASKWIRE_TOKEN=... taskwire serve --db team.sqlite
            """
    )

    @OptionGroup var host: HostOptions
    @Option(
        help: """
            auto (detect from the first bytes), lines (one JSON text per line) or headers (Content-Length framing, \
            as LSP clients send).
            """
    )
    var framing: FramingChoice = .auto

    func run() throws {
        try host.run(framing: framing.framing) { parts in
            let server = Server(
                configuration: parts.configuration,
                store: parts.store,
                relay: parts.relay,
                writer: parts.writer,
                logger: parts.logger
            )
            return (server, server)
        }
    }
}

/// The values of `--framing`.
enum FramingChoice: String, ExpressibleByArgument {
    case auto
    case lines
    case headers

    var framing: Framing? {
        switch self {
        case .auto: nil
        case .lines: .lines
        case .headers: .headers
        }
    }
}
