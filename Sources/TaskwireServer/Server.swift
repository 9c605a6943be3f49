public import Logging
public import TaskwireProtocol
public import TaskwireRelay
public import TaskwireStore
import TaskwireSync
public import TaskwireTransport

#if canImport(Glibc)
import Glibc
#endif

/// How a host was started. (The database and Redis URLs stay out of it: they may hold passwords.)
public struct ServerConfiguration: Sendable {
    public var maxMessageBytes: Int
    /// The token of the host's environment (`TASKWIRE_TOKEN`), used when `initialize` brings none.
    public var environmentToken: String?
    public var version: String

    public init(
        maxMessageBytes: Int,
        environmentToken: String?,
        version: String
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.environmentToken = environmentToken
        self.version = version
    }
}

/// The session of the one client a host process serves.
struct SessionState {
    var user: UserRef?
    var sessionID: String?
    var shutdownRequested = false
    var exitRequested = false
    /// Calls being handled right now; a signal waits for them before the process ends.
    var inFlight = 0
    /// True while a group of calls runs: their events wait for the group's commit.
    var grouping = false
    /// Events of the call being handled in a group, not yet committed.
    var heldEvents: [CommittedEvent] = []
}

/// One stdio host: the JSON-RPC methods of one client session, wired to the store, the relay and the rooms.
public final class Server: CallHandler, Sendable {
    let configuration: ServerConfiguration
    let store: any TaskwireStorage
    let relay: any Relay
    let writer: OutputWriter
    let rooms: Rooms
    let logger: Logger
    let session = Locked(SessionState())
    /// Broadcast when a call ends, for ``waitUntilIdle(milliseconds:)``. Lock order: `idle`, then `session`.
    private let idle = ConditionLock()

    /// Every method the host serves, by name. `Protocol/openrpc.json` describes exactly these.
    static let methods: [String: Method] = {
        var table: [String: Method] = [:]
        for method in lifecycleMethods + projectMethods + roomMethods + taskMethods + commentMethods + eventMethods
            + searchMethods
        {
            table[method.name] = method
        }
        return table
    }()

    public static var methodNames: [String] { methods.keys.sorted() }

    /// The store is the SQLite one because ``Rooms`` still holds that type; everything else uses it only through
    /// ``TaskwireStorage``.
    public init(
        configuration: ServerConfiguration,
        store: any TaskwireStorage,
        relay: any Relay,
        writer: OutputWriter,
        notifications: any RoomNotifications = JSONRPCRoomNotifications(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.relay = relay
        self.writer = writer
        self.logger = logger
        self.rooms = Rooms(
            store: store,
            relay: relay,
            writer: writer,
            notifications: notifications,
            logger: logger
        )
    }

    /// Starts the relay and the room delivery threads.
    public func start() {
        rooms.start()
    }

    /// True once `exit` was received.
    public var exitRequested: Bool { session.withLock { $0.exitRequested } }
    /// True once `shutdown` was answered.
    public var shutdownRequested: Bool { session.withLock { $0.shutdownRequested } }

    public func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError> {
        guard let method = Self.methods[call.method] else {
            return .failure(.methodNotFound(call.method))
        }
        let (user, grouping) = session.withLock {
            $0.inFlight += 1
            return ($0.user, $0.grouping)
        }
        defer {
            idle.withLock {
                session.withLock { $0.inFlight -= 1 }
                idle.broadcast()
            }
        }
        if method.requiresSession && user == nil {
            return .failure(.notInitialized)
        }
        // A session whose token (or user) was removed answers nothing more. Within a group the token was checked
        // right before the group began (``runGrouped(_:)``): revoking the session writes (it leaves its rooms) and
        // tells the other hosts at once, neither of which may happen inside a transaction that a later call of the
        // group may yet roll back and run again.
        if method.requiresSession, !(grouping ? !rooms.sessionRevoked : rooms.checkSession()) {
            return .failure(
                ResponseError(code: .unauthenticated, message: "Unauthenticated: the session's token was revoked")
            )
        }
        if method.neverAnswered {
            context.withholdReply = true
        } else if call.paramsWereArray {
            return .failure(.invalidParams("params must be an object (by name), not an array"))
        }
        do {
            // A method that is never answered cannot report an error, so it runs whatever params it was sent.
            let reader = try ParamReader(method.neverAnswered ? [:] : call.params, allowed: method.params)
            let request = Request(
                server: self,
                params: reader,
                context: context,
                user: user,
                isNotification: call.isNotification
            )
            // Also when the method fails after a change: its events belong to this call.
            defer { holdEvents(context) }
            return .success(try method.run(request))
        } catch let error as ResponseError {
            return .failure(error)
        } catch let error as StoreError {
            let response = ResponseError(error)
            if response.code == .internalError {
                logger.error("storage failure in \(call.method): \(error)")
            }
            return .failure(response)
        } catch {
            logger.error("unexpected failure in \(call.method): \(error)")
            return .failure(.internalError)
        }
    }

    /// Runs one method of `Protocol/openrpc.json` for this session, exactly as if the client had sent it as a
    /// request: the same checks of params, session and membership, the same effects and errors.
    public func perform(_ method: String, params: JSONObject, context: CallContext) -> Result<JSON, ResponseError> {
        handle(Call(id: .null, method: method, params: params), context: context)
    }

    /// Calls that only read, or write one entity with its event, may share a transaction (group commit); calls that
    /// change rooms, presence or the session may not, since others hear of those before any commit.
    public func isGroupable(_ call: Call) -> Bool {
        guard let method = Self.methods[call.method] else { return true }
        return method.groupable && session.withLock { $0.user != nil }
    }

    public func runGrouped(_ body: () -> Void) -> GroupOutcome {
        // The token check of the group's calls, made once before its transaction (see ``handle(_:context:)``); a
        // revoked session's calls then fail one by one inside the group, as they would alone.
        rooms.checkSession()
        session.withLock { $0.grouping = true }
        defer { session.withLock { $0.grouping = false } }
        switch store.runGrouped(body) {
        case .unavailable: return .unavailable
        case .committed: return .committed
        case .failed(let error):
            logger.error("a group of calls could not commit: \(error)")
            return .failed(ResponseError(error))
        }
    }

    /// The events of a committed group go to the other hosts together: one write to Redis for the group instead
    /// of one per event (a twelfth of a pipelined `task.update`'s reading thread was in those `send`s, `perf`).
    public func announcingTogether(_ body: () -> Void) {
        rooms.publishingTogether(body)
    }

    public var upkeepDelayMilliseconds: Int32? { store.upkeepDelayMilliseconds() }

    public func runUpkeep() {
        do {
            try store.runUpkeep()
        } catch {
            // Left for the next upkeep, or the next search. Another host holding the write lock is no failure: the
            // upkeep stays due and is tried again at the next pause.
            if error.kind != .busy { logger.warning("store upkeep failed: \(error)") }
        }
    }

    /// Hands the events a grouped call made to its context, to be announced once the group committed.
    private func holdEvents(_ context: CallContext) {
        let events: [CommittedEvent] = session.withLock { state in
            defer { state.heldEvents.removeAll() }
            return state.heldEvents
        }
        guard !events.isEmpty else { return }
        context.afterCommit.append { [rooms] in
            for event in events { rooms.committed(event) }
        }
    }

    /// The actor for changes made by this session.
    func actor(_ request: Request) -> ActingSession {
        ActingSession(user: request.user!, sessionID: session.withLock { $0.sessionID } ?? "")
    }

    /// Waits until no call is being handled; false when the time ran out first.
    public func waitUntilIdle(milliseconds: Int) -> Bool {
        let deadline = MonotonicClock.deadline(afterMilliseconds: milliseconds)
        // A call that ends broadcasts `idle` while holding it, so this check cannot miss the last one.
        return idle.withLock {
            while session.withLock({ $0.inFlight > 0 }) {
                guard idle.wait(untilNanoseconds: deadline) || MonotonicClock.now() < deadline else { return false }
            }
            return true
        }
    }

    /// Leaves every room (others see `presence.left` with reason `closed`) and forgets the session.
    public func close() {
        rooms.closeAll(reason: .closed)
    }
}

/// One call as a method sees it.
struct Request {
    let server: Server
    let params: ParamReader
    let context: CallContext
    /// The session's user; always set for methods that require a session.
    let user: UserRef?
    let isNotification: Bool
}

/// A served method: its name, its params, whether it needs a successful `initialize` first, and whether it is ever
/// answered.
struct Method: Sendable {
    let name: String
    let params: Set<String>
    let requiresSession: Bool
    /// A notification method (`exit`): never answered, even when called with an id. Since no error can be
    /// reported for it, its params are not checked (the method sees none) and it always runs.
    let neverAnswered: Bool
    /// Whether the call may run in a group of calls sharing one transaction.
    let groupable: Bool
    let run: @Sendable (Request) throws -> JSON

    init(
        _ name: String,
        params: Set<String>,
        requiresSession: Bool = true,
        neverAnswered: Bool = false,
        groupable: Bool = false,
        run: @escaping @Sendable (Request) throws -> JSON
    ) {
        self.name = name
        self.params = params
        self.requiresSession = requiresSession
        self.neverAnswered = neverAnswered
        self.groupable = groupable
        self.run = run
    }
}
