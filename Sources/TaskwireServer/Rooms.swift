import Foundation
import Logging
import TaskwireProtocol
import TaskwireRelay
import TaskwireStore
import TaskwireSync
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#endif

/// The rooms this host's session is in, and the delivery of their events and presence.
///
/// Events reach a host from three sources: its own commits, the relay, and the database (polled through
/// `PRAGMA data_version`). All of them feed one delivery thread, which keeps for each room the last `seq` it
/// wrote and only ever writes `cursor + 1`; anything else is either a duplicate (dropped) or a gap, which it
/// fills from the event log. That is what makes delivery gap-free and duplicate-free whatever the relay does.
final class Rooms: @unchecked Sendable {
    // @unchecked Sendable: `state` and `workers` are only touched with `lock` held; `watcher` is set in start()
    // before the delivery thread starts, and then used only by that thread.
    struct Room {
        var projectID: String
        /// The last `seq` queued for the client.
        var cursor: Int64
        /// The `seq` the client had when it joined (the `since`, or the project's `seq`).
        var base: Int64
        /// False until the join reply was queued; no event may precede it.
        var active: Bool
        /// Presence changes up to this id happened before the join.
        var presenceFloor: Int64
        /// Presence changes that arrived while the join reply was not yet out; told right after it.
        var pendingPresence: [PresenceChange] = []
    }

    enum Input {
        case event(CommittedEvent)
        case presence(PresenceChange)
        /// The store's change feed must (or need no longer) see a project's changes.
        case watch(String)
        case unwatch(String)
        case activate(String)
        case relayState(RelayState)
        case poll
    }

    struct State {
        var actor: ActingSession?
        var rooms: [String: Room] = [:]
        var presenceCursor: Int64 = 0
        var inbox: [Input] = []
        /// True while the delivery thread works on what it took from the inbox.
        var delivering = false
        /// Bytes of events waiting in the inbox.
        var inboxBytes = 0
        /// Set when events were dropped at the inbox limit; a poll is queued to read them back.
        var inboxOverflowed = false
        /// When the session's membership of each room's project was last confirmed (monotonic nanoseconds).
        var membershipChecked: [String: UInt64] = [:]
        /// Whether the session's token still authenticates, and when that was last asked.
        var stillAuthenticates: (@Sendable () -> Bool)?
        var tokenCheckedAt: UInt64 = 0
        var sessionRevoked = false
        var stopping = false
        /// True while the delivery thread sleeps in `poll` on the change feed's socket rather than on `lock`: a
        /// wake-up must then go through ``Rooms/feedWakeup`` too.
        var sleepingOnFeed = false
        /// True while the relay's thread holds a cork on the writer for the events it wrote itself (see
        /// ``received(_:)``); it uncorks when the relay has no further message at hand.
        var relayCorked = false
    }

    let store: any TaskwireStorage
    let relay: any Relay
    /// Seals what this host publishes and verifies what it receives: nothing from the relay is used unverified.
    let codec: RelayCodec
    let rejections: RelayRejectionLog
    /// False for the local relay, which carries nothing: messages for it are not even sealed.
    let publishes: Bool
    let writer: OutputWriter
    /// What the client is told of events and notices: JSON-RPC notifications, or another surface's messages.
    let notifications: any RoomNotifications
    /// Room notifications on their way to the client, and the slow-consumer rule.
    let output: RoomOutput
    let logger: Logger
    let lock = ConditionLock()
    var state = State()
    /// The maintenance thread sleeps on a condition of its own, so that a wake-up meant for the delivery thread
    /// can never be taken by it.
    private let maintenanceLock = ConditionLock()
    var watcher: (any ChangeFeed)?
    /// Wakes the delivery thread while it sleeps on the change feed's socket (without Redis, where the feed is the
    /// relay); nil with Redis, which never sleeps there, and when the system gave no descriptor for it (the thread
    /// then only looks at the feed).
    let feedWakeup: PollWakeup?
    /// The delivery and maintenance threads; guarded by `lock`.
    private var workers: [WorkerThread] = []

    /// How often the database is checked for changes by other hosts: often without a relay, rarely as a
    /// safety net with one.
    static let localPollNanoseconds: UInt64 = 5_000_000
    static let relayPollNanoseconds: UInt64 = 500_000_000
    /// How soon the feed is looked at again when its socket announced a commit that the look did not find yet.
    static let announcedRecheckNanoseconds: UInt64 = 250_000
    /// A host that has not sent a heartbeat for this long is considered dead and its sessions leave their rooms.
    static let heartbeatMilliseconds = 5000
    static let sessionTimeoutMilliseconds: Int64 = 15_000
    /// How long a client with a full notification buffer may go without reading anything before it counts as
    /// stopped.
    static let slowConsumerGraceMilliseconds = 2000
    /// Event bytes the inbox holds before it drops events (which delivery then reads back from the log).
    static let inboxLimit = 8 << 20
    /// How long a confirmed membership is taken as still true without reading it again. A revocation the host hears
    /// of (a `revoked` presence change in the project) forgets it at once; this bounds what one it has not heard of
    /// yet can let through.
    static let membershipTrustNanoseconds: UInt64 = 100_000_000
    /// How long a token that authenticated is taken as still valid before a request asks again.
    static let tokenTrustNanoseconds: UInt64 = 100_000_000

    init(
        store: any TaskwireStorage,
        relay: any Relay,
        writer: OutputWriter,
        notifications: any RoomNotifications,
        logger: Logger
    ) {
        self.store = store
        self.relay = relay
        self.writer = writer
        self.notifications = notifications
        output = RoomOutput(writer: writer)
        self.logger = logger
        codec = RelayCodec(key: store.relayKey, namespace: store.databaseID)
        rejections = RelayRejectionLog(logger: logger)
        publishes = !(relay is LocalRelay)
        feedWakeup = relay.kind == .redis ? nil : PollWakeup()
    }

    func start() {
        watcher = store.makeChangeFeed()
        relay.start(
            onMessage: { [weak self] message in self?.received(message) },
            onStateChange: { [weak self] state in self?.enqueue(.relayState(state)) },
            // Events published before the subscription took effect are read from the log.
            onSubscribed: { [weak self] _ in self?.enqueue(.poll) },
            onQuiet: { [weak self] in self?.relayQuiet() }
        )
        let delivery = WorkerThread.start(name: "tw.delivery") { [self] in deliveryLoop() }
        let maintenance = WorkerThread.start(name: "tw.maintenance") { [self] in maintenanceLoop() }
        lock.withLock { workers = [delivery, maintenance] }
    }

    func enqueue(_ input: Input) {
        lock.withLock {
            // Events are in the log: while the delivery thread waits for a slow client, ones past the inbox limit
            // are dropped here and read back from the database later, so that waiting cannot grow memory.
            let size: Int
            if case .event(let event) = input { size = event.payload.count } else { size = 0 }
            if size > 0, state.inboxBytes + size > Self.inboxLimit {
                if !state.inboxOverflowed {
                    state.inboxOverflowed = true
                    state.inbox.append(.poll)
                }
                return
            }
            state.inboxBytes += size
            state.inbox.append(input)
            lock.broadcast()
            if state.sleepingOnFeed { feedWakeup?.signal() }
        }
    }

    /// A message from the relay, on the relay's thread: verified before anything in it is used. A message that
    /// fails is dropped and counted; if it stood for a real event, delivery reads that event from the log.
    private func received(_ message: [UInt8]) {
        // This host's own publishes come back, and so do events already read from the log: an event that could
        // not be delivered even if genuine is dropped before its verification is paid for.
        if let claim = RelayCodec.claimedEvent(message) {
            let undeliverable = lock.withLock {
                state.rooms[claim.projectID].map { !$0.active || claim.seq <= $0.cursor } ?? true
            }
            if undeliverable { return }
        }
        switch codec.open(message) {
        case .success(.event(let event)):
            if !writeRelayed(event) { enqueue(.event(event)) }
        case .success(.presence(let json)):
            guard let change = PresenceChange(json: json) else { return rejections.record(.badPresence) }
            enqueue(.presence(change))
        case .failure(let rejection):
            rejections.record(rejection)
        }
    }

    /// Writes a verified relayed event from the relay's thread when nothing stands before it: the delivery thread is
    /// idle with an empty inbox (so nothing that arrived earlier is overtaken), the event is its room's next `seq`,
    /// the session's membership was confirmed within ``membershipTrustNanoseconds``, and the client's queue has room.
    /// That spares the hand-off to the delivery thread, a wake-up per burst; anything else goes through the inbox,
    /// where the delivery thread reads the database and waits for a slow client as it always does.
    ///
    /// The writer stays corked until ``relayQuiet()``, so a burst of messages from one read of the relay's socket
    /// leaves in one write.
    private func writeRelayed(_ event: CommittedEvent) -> Bool {
        let now = MonotonicClock.now()
        return lock.withLock {
            guard state.inbox.isEmpty, !state.delivering, !state.stopping,
                let room = state.rooms[event.projectID], room.active, event.seq == room.cursor + 1,
                let checked = state.membershipChecked[event.projectID],
                now &- checked < Self.membershipTrustNanoseconds
            else { return false }
            let messages = notifications.messages(for: event)
            guard messages.count <= 1 else { return false }
            if !state.relayCorked {
                writer.cork()
                state.relayCorked = true
            }
            if let bytes = messages.first, !output.send(bytes, room: event.projectID, seq: event.seq) {
                return false
            }
            state.rooms[event.projectID]?.cursor = event.seq
            return true
        }
    }

    /// The relay has no further message at hand: what its thread wrote goes out now.
    private func relayQuiet() {
        let corked = lock.withLock {
            defer { state.relayCorked = false }
            return state.relayCorked
        }
        if corked { writer.uncork(mayBlock: false) }
    }

    /// Runs `body`, in which the calling thread announces changes; what they publish goes to the relay together.
    func publishingTogether(_ body: () -> Void) {
        if publishes { relay.publishingTogether(body) } else { body() }
    }

    /// Tells the other hosts of a committed event.
    func publish(_ event: CommittedEvent) {
        if publishes { relay.publish(codec.seal(event), topic: event.projectID) }
    }

    /// Tells the other hosts of a presence change.
    func publish(_ change: PresenceChange) {
        if publishes { relay.publish(codec.seal(presence: change.json), topic: change.projectID) }
    }

    /// Binds the rooms to the session once `initialize` succeeded.
    func attach(session actor: ActingSession, stillAuthenticates: @escaping @Sendable () -> Bool) {
        lock.withLock {
            state.actor = actor
            state.stillAuthenticates = stillAuthenticates
        }
    }

    /// True once the session's token (or its user) was removed: the session is out of every room and answers
    /// nothing but -32001.
    var sessionRevoked: Bool { lock.withLock { state.sessionRevoked } }

    /// Checks that the session's token still authenticates, at most every ``tokenTrustNanoseconds`` (or always when
    /// `now`); when it no longer does, revokes the session. Returns whether the session is still valid.
    @discardableResult
    func checkSession(now force: Bool = false) -> Bool {
        let (check, due): ((@Sendable () -> Bool)?, Bool) = lock.withLock {
            guard !state.sessionRevoked else { return (nil, false) }
            let now = MonotonicClock.now()
            let due = force || now &- state.tokenCheckedAt >= Self.tokenTrustNanoseconds
            if due { state.tokenCheckedAt = now }
            return (state.stillAuthenticates, due)
        }
        guard let check else { return lock.withLock { !state.sessionRevoked } }
        guard due, !check() else { return true }
        revokeSession()
        return false
    }

    /// The session's token or user was removed: it leaves every room (others see `presence.left` with reason
    /// `revoked`) and is told `project.revoked` for each.
    private func revokeSession() {
        let (rooms, sessionID): ([String], String?) = lock.withLock {
            state.sessionRevoked = true
            return (state.rooms.keys.sorted(), state.actor?.sessionID)
        }
        logger.notice("session \(sessionID ?? "?") revoked: its token no longer authenticates")
        for projectID in rooms {
            removed(projectID: projectID)
            if let sessionID {
                do {
                    if let change = try store.leave(sessionID: sessionID, projectID: projectID, reason: .revoked) {
                        publish(change)
                    }
                } catch {
                    logger.warning("could not record leaving a room: \(error)")
                }
            }
            tell(.revoked(projectID: projectID))
        }
    }

    /// Sends the relay's current state; called right after the `initialize` reply.
    func announceRelayStatus() {
        tell(.relayStatus(relay.state, kind: relay.kind))
    }

    /// Sends the messages of a notice that belongs to no room's order.
    func tell(_ notice: RoomNotice) {
        for message in notifications.messages(for: notice) { writer.send(message) }
    }

    /// A change committed by this host: tell the other hosts, and deliver it here.
    ///
    /// When the event is the next one of a room the session is in, the committing thread writes it at once (the
    /// cursor check under the lock keeps the order); anything else goes to the delivery thread, which fills gaps.
    func committed(_ event: CommittedEvent) {
        publish(event)
        enum Route {
            case done
            case deliveryThread
        }
        let route: Route = lock.withLock {
            guard let room = state.rooms[event.projectID], room.active else {
                return state.rooms[event.projectID] == nil ? .done : .deliveryThread
            }
            guard event.seq == room.cursor + 1 else { return event.seq <= room.cursor ? .done : .deliveryThread }
            let messages = notifications.messages(for: event)
            // Several messages go through the delivery thread, which can wait for room for each of them.
            guard messages.count <= 1 else { return .deliveryThread }
            if let bytes = messages.first, !output.send(bytes, room: event.projectID, seq: event.seq) {
                return .deliveryThread
            }
            state.rooms[event.projectID]?.cursor = event.seq
            return .done
        }
        if route == .deliveryThread { enqueue(.event(event)) }
    }

    /// Presence changes recorded by this host: tell the other hosts, and deliver them here.
    func published(_ changes: [PresenceChange]) {
        for change in changes {
            publish(change)
            enqueue(.presence(change))
        }
    }

    // MARK: Joining and leaving (on the reading thread)

    func isInRoom(_ projectID: String) -> Bool {
        lock.withLock { state.rooms[projectID] != nil }
    }

    /// Registers a joined room; it starts delivering once ``activate(_:)`` runs after the reply.
    func added(projectID: String, joined: JoinResult, since: Int64?) {
        lock.withLock {
            if state.rooms.isEmpty { state.presenceCursor = max(state.presenceCursor, joined.change.id) }
            let base = since ?? joined.seq
            state.rooms[projectID] = Room(
                projectID: projectID,
                cursor: base,
                base: base,
                active: false,
                presenceFloor: joined.change.id
            )
        }
        relay.subscribe(projectID)
        // Before `.activate`, which reads the log: whatever commits after the watch is heard of, the rest is read.
        enqueue(.watch(projectID))
        publish(joined.change)
    }

    func activate(_ projectID: String) {
        enqueue(.activate(projectID))
    }

    func removed(projectID: String) {
        lock.withLock {
            _ = state.rooms.removeValue(forKey: projectID)
            _ = state.membershipChecked.removeValue(forKey: projectID)
        }
        output.forget(projectID)
        relay.unsubscribe(projectID)
        enqueue(.unwatch(projectID))
    }

    /// Leaves every room and ends the session (at exit), after delivering what had already arrived.
    func closeAll(reason: LeaveReason) {
        let deadline = MonotonicClock.deadline(afterMilliseconds: 500)
        let sessionID: String? = lock.withLock {
            while !state.inbox.isEmpty || state.delivering, MonotonicClock.now() < deadline {
                lock.wait(untilNanoseconds: deadline)
            }
            state.rooms.removeAll()
            state.stopping = true
            lock.broadcast()
            if state.sleepingOnFeed { feedWakeup?.signal() }
            return state.actor?.sessionID
        }
        maintenanceLock.withLock { maintenanceLock.broadcast() }
        // Both threads see `stopping` at their next wake-up; a delivery thread waiting for a stuck client gives up
        // within the slow-consumer grace, by which time the process is gone anyway.
        for worker in lock.withLock({ workers }) { worker.waitUntilFinished(timeoutMilliseconds: 200) }
        guard let sessionID else { return }
        do {
            let changes = try store.endSession(sessionID, reason: reason)
            for change in changes { publish(change) }
        } catch {
            logger.warning("could not leave rooms at exit: \(error)")
        }
    }

    // MARK: Maintenance

    private func maintenanceLoop() {
        var interval = Self.heartbeatMilliseconds
        while true {
            let deadline = MonotonicClock.deadline(afterMilliseconds: interval)
            maintenanceLock.withLock {
                while !lock.withLock({ state.stopping }), MonotonicClock.now() < deadline {
                    maintenanceLock.wait(untilNanoseconds: deadline)
                }
            }
            let actor: ActingSession? = lock.withLock { state.stopping ? nil : state.actor }
            guard let actor else {
                if lock.withLock({ state.stopping }) { return }
                continue
            }
            // A removed token or user ends the session even when its client sends nothing.
            guard checkSession(now: true) else { continue }
            do {
                if try !store.heartbeat(sessionID: actor.sessionID) {
                    logger.warning("session \(actor.sessionID) was timed out by another host; registering again")
                    try store.registerSession(id: actor.sessionID, userID: actor.user.id, pid: getpid())
                    enqueue(.poll)
                }
                interval = Self.heartbeatMilliseconds
                published(try store.reapSessions(silentForMilliseconds: Self.sessionTimeoutMilliseconds))
            } catch {
                // A busy database must not let this session look dead to the others: try again soon.
                logger.warning("maintenance failed: \(error)")
                interval = 1000
            }
        }
    }
}
