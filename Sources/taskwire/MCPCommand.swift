import ArgumentParser
import TaskwireMCP
import TaskwireTransport

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve one AI assistant over stdin/stdout with the Model Context Protocol.",
        discussion: """
            The assistant acts as the user of the token in TASKWIRE_TOKEN, with the same access as over JSON-RPC. \
            Example, the configuration block a desktop assistant reads:
              {"mcpServers": {"taskwire": {"command": "taskwire", "args": ["mcp", "--db", "/path/team.sqlite"],
                                           "env": {"TASKWIRE_TOKEN": "tw_..."}}}}
            """
    )

    @OptionGroup var host: HostOptions

    func run() throws {
        // MCP's stdio transport is newline-delimited JSON-RPC.
        try host.run(framing: .lines) { parts in
            let mcp = MCPServer(
                configuration: parts.configuration,
                store: parts.store,
                relay: parts.relay,
                writer: parts.writer,
                logger: parts.logger
            )
            return (mcp, mcp.server)
        }
    }
}
