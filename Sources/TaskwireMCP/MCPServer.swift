public import Logging
public import TaskwireProtocol
public import TaskwireRelay
public import TaskwireServer
public import TaskwireStore
import TaskwireSync
public import TaskwireTransport

/// The host speaking the Model Context Protocol (`taskwire mcp`): the JSON-RPC host's session, store, rooms and
/// authorization, offered to an AI assistant as MCP tools and resources.
///
/// Every tool and resource runs the methods of `Protocol/openrpc.json` through ``Server/perform(_:params:context:)``,
/// so nothing here decides who may see or change what.
public final class MCPServer: CallHandler, Sendable {
    /// The JSON-RPC host whose session this is.
    public let server: Server
    let subscriptions: ResourceSubscriptions
    let logger: Logger
    /// The negotiated protocol revision; nil until `initialize` succeeded.
    let version = Locked<MCPVersion?>(nil)

    public init(
        configuration: ServerConfiguration,
        store: any TaskwireStorage,
        relay: any Relay,
        writer: OutputWriter,
        logger: Logger
    ) {
        let subscriptions = ResourceSubscriptions()
        self.subscriptions = subscriptions
        self.logger = logger
        server = Server(
            configuration: configuration,
            store: store,
            relay: relay,
            writer: writer,
            notifications: subscriptions,
            logger: logger
        )
    }

    /// The requests served, by method; each answers its result or throws the JSON-RPC error to answer.
    private static let requests: [String: @Sendable (MCPServer, Exchange) throws(ResponseError) -> JSON] = [
        "initialize": { (server, exchange) throws(ResponseError) in try server.initialize(exchange) },
        "ping": { (_, _) throws(ResponseError) in [:] },
        "tools/list": { (server, exchange) throws(ResponseError) in try server.listTools(exchange) },
        "tools/call": { (server, exchange) throws(ResponseError) in try server.callTool(exchange) },
        "resources/list": { (server, exchange) throws(ResponseError) in try server.listResources(exchange) },
        "resources/templates/list": { (server, exchange) throws(ResponseError) in
            try server.listResourceTemplates(exchange)
        },
        "resources/read": { (server, exchange) throws(ResponseError) in try server.readResource(exchange) },
        "resources/subscribe": { (server, exchange) throws(ResponseError) in try server.subscribe(exchange) },
        "resources/unsubscribe": { (server, exchange) throws(ResponseError) in try server.unsubscribe(exchange) },
    ]

    /// The protocol's methods as `Protocol/mcp.json` lists them.
    public static var methodNames: [String] { requests.keys.sorted() }

    /// Batches were removed in 2025-06-18; before it, a batch may not carry `initialize`, so none is served before a
    /// session exists.
    public var acceptsBatches: Bool {
        version.withLock { $0.map { !$0.hasTitlesAndStructuredOutput } ?? false }
    }

    /// Both peers of MCP send requests, so a response to a request this host never sent is passed over.
    public var ignoresResponses: Bool { true }

    /// The tools write through the JSON-RPC host's store: its upkeep as there.
    public var upkeepDelayMilliseconds: Int32? { server.upkeepDelayMilliseconds }
    public func runUpkeep() { server.runUpkeep() }

    public func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError> {
        // Notifications (`notifications/initialized`, `notifications/cancelled`, ...) need nothing from this
        // host: requests are answered in the order they arrive, so one that is cancelled was answered already.
        guard let id = call.id else { return .success(.null) }
        // MCP: a request id is a string or an integer, never null.
        switch id.json {
        case .string: break
        case .number(let text) where !text.contains(where: { ".eE".contains($0) }): break
        default: return .failure(.invalidRequest("id must be a string or an integer"))
        }
        guard let request = Self.requests[call.method] else { return .failure(.methodNotFound(call.method)) }
        guard call.method == "initialize" || call.method == "ping" || version.withLock({ $0 != nil }) else {
            return .failure(.invalidRequest("not initialized: send initialize first"))
        }
        guard !call.paramsWereArray else { return .failure(.invalidParams("params must be an object")) }
        do throws(ResponseError) {
            if call.method != "initialize" { rejoinLostRooms(context: context) }
            return .success(try request(self, Exchange(params: call.params, context: context)))
        } catch {
            return .failure(error)
        }
    }

    /// Runs a method of `Protocol/openrpc.json` for the session; its effects after the reply (a room starting to
    /// deliver) run after this host's reply.
    func perform(_ method: String, _ params: JSONObject, context: CallContext) throws(ResponseError) -> JSON {
        let inner = CallContext()
        let result = server.perform(method, params: params, context: inner)
        context.afterCommit += inner.afterCommit
        context.afterReply += inner.afterReply
        return try result.get()
    }

    /// Joins again the rooms the session was taken out of while it was not reading.
    private func rejoinLostRooms(context: CallContext) {
        let lost = subscriptions.state.withLock { state in
            defer { state.lost.removeAll() }
            return state.lost.filter(state.needsRoom)
        }
        for projectID in lost.sorted() {
            do throws(ResponseError) {
                _ = try perform("project.join", ["projectId": .string(projectID)], context: context)
                subscriptions.state.withLock { _ = $0.rooms.insert(projectID) }
            } catch  where error.code == .notFound {
                // Access is gone: so are the subscriptions (their resources read as not found).
                subscriptions.state.withLock { state in
                    state.projects.remove(projectID)
                    state.tasks = state.tasks.filter { $0.value != projectID }
                }
            } catch {
                // Busy or failing storage: try again at the next request.
                logger.warning("could not join a room again: \(error.code.rawValue)")
                subscriptions.state.withLock { _ = $0.lost.insert(projectID) }
            }
        }
    }

    // MARK: Lifecycle

    private func initialize(_ exchange: Exchange) throws(ResponseError) -> JSON {
        guard case .string(let requested)? = exchange.params["protocolVersion"] else {
            throw ResponseError.invalidParams(field: "protocolVersion", reason: "required, a string")
        }
        var params: JSONObject = ["protocolVersion": "1"]
        // Only for the log: what the session method would refuse is left out rather than failing the handshake.
        if case .string(let name)? = exchange.params["clientInfo"]?["name"],
            case .string(let clientVersion)? = exchange.params["clientInfo"]?["version"],
            !name.unicodeScalars.contains("\0"), !clientVersion.unicodeScalars.contains("\0")
        {
            params["clientInfo"] = ["name": .string(name), "version": .string(clientVersion)]
        }
        let session: JSON
        do throws(ResponseError) {
            session = try perform("initialize", params, context: exchange.context)
        } catch  where error.code == .unauthenticated {
            logger.error("MCP initialize refused: no valid token in TASKWIRE_TOKEN")
            throw ResponseError(
                code: .unauthenticated,
                message: "\(error.message): set TASKWIRE_TOKEN in the environment of `taskwire mcp` to a token"
            )
        }
        let negotiated = MCPVersion.negotiate(requested)
        version.withLock { $0 = negotiated }
        var serverInfo: JSONObject = ["name": "taskwire"]
        if negotiated.hasTitlesAndStructuredOutput { serverInfo["title"] = "Taskwire" }
        serverInfo["version"] = session["serverInfo"]?["version"] ?? .null
        return [
            "protocolVersion": .string(negotiated.rawValue),
            "capabilities": [
                "tools": ["listChanged": false],
                "resources": ["subscribe": true, "listChanged": false],
            ],
            "serverInfo": .object(serverInfo),
            "instructions": .string(Self.instructions(user: session["user"]?["name"]?.stringValue)),
        ]
    }

    private static func instructions(user: String?) -> String {
        """
        Taskwire holds the tasks and comments of a team's projects; you act as \(user ?? "the token's user"). \
        Every change to a task needs the task's current `version` as `expectedVersion`; when someone else changed \
        it first, the tool answers an error that carries the task as it is now — look at it \
        and retry with its version. Subscribe to taskwire://projects/{id} to hear of every change in a project.
        """
    }
}

/// One request as a handler sees it.
struct Exchange {
    let params: JSONObject
    let context: CallContext
}
