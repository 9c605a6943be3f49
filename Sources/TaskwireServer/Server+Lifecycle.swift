import TaskwireCrypto
import TaskwireProtocol
import TaskwireStore
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#endif

extension Server {
    static let lifecycleMethods: [Method] = [
        Method("initialize", params: ["protocolVersion", "clientInfo", "token"], requiresSession: false) {
            try $0.server.initialize($0)
        },
        Method("ping", params: [], requiresSession: false, groupable: true) { _ in [:] },
        Method("shutdown", params: [], requiresSession: false) { request in
            request.server.session.withLock { $0.shutdownRequested = true }
            return .null
        },
        // Never answered, with or without an id, and whatever its params: a client that asks to exit is never
        // left with a running host.
        Method("exit", params: [], requiresSession: false, neverAnswered: true) { request in
            request.server.session.withLock { $0.exitRequested = true }
            request.context.stopReading = true
            return .null
        },
        Method("rpc.discover", params: [], requiresSession: false, groupable: true) { _ in OpenRPCDocument.value },
    ]

    func initialize(_ request: Request) throws -> JSON {
        guard request.user == nil else { throw ResponseError.invalidRequest("already initialized") }
        let version = try request.params.string("protocolVersion")
        guard ProtocolVersion.supported.contains(version) else {
            throw ResponseError.invalidParams(
                field: "protocolVersion",
                reason: "unsupported",
                extra: ["supported": .array(ProtocolVersion.supported.map(JSON.string))]
            )
        }
        var client = ""
        if let clientInfo = try request.params.optionalNested("clientInfo", allowed: ["name", "version"]) {
            let name = try clientInfo.string("name")
            let version = try clientInfo.string("version")
            client = " (client \(name.debugDescription) \(version.debugDescription))"
        }
        guard let token = try request.params.optionalString("token") ?? configuration.environmentToken else {
            throw ResponseError(code: .unauthenticated, message: "Unauthenticated: no token given")
        }
        let user = try store.authenticate(token: token)
        let sessionID = Identifiers.make("ses")
        try store.registerSession(id: sessionID, userID: user.id, pid: getpid())
        session.withLock {
            $0.user = user
            $0.sessionID = sessionID
        }
        let hash = SHA256.hexDigest(Array(token.utf8))
        rooms.attach(session: ActingSession(user: user, sessionID: sessionID)) { [store] in
            // A store that cannot answer right now is not a revocation.
            (try? store.tokenStillAuthenticates(hash: hash)) ?? true
        }
        logger.info("session \(sessionID) initialized for user \(user.id)\(client)")
        request.context.afterReply.append { [rooms] in rooms.announceRelayStatus() }
        return [
            "protocolVersion": .string(ProtocolVersion.current),
            "serverInfo": ["name": "taskwire", "version": .string(configuration.version)],
            "sessionId": .string(sessionID),
            "user": user.json,
            "capabilities": [
                "relay": .string(relay.kind.rawValue),
                "store": .string(store.kind.rawValue),
                "batch": true,
                "maxMessageBytes": .int(configuration.maxMessageBytes),
            ],
        ]
    }
}
