import Logging
import TaskwireProtocol
import TaskwireRelay
import TaskwireStore
import TaskwireSync
import TaskwireTransport

extension Rooms {
    /// The delivery thread: takes what arrived, writes what the client must see, in order.
    func deliveryLoop() {
        var lastVersion = watcher?.version()
        var feedState = RelayState.connected
        var nextPoll = MonotonicClock.now()
        // As of the last turn; a host in no room has nothing to deliver when a commit is announced.
        var hadRooms = false
        while true {
            var announced = false
            if relay.kind != .redis, hadRooms, let socket = watcher?.announcementSocket,
                sleepOnFeed(socket, until: nextPoll)
            {
                nextPoll = MonotonicClock.now()
                announced = true
            }
            let (inputs, stopping, hasRooms) = lock.withLock {
                () -> ([Input], Bool, Bool) in
                while state.inbox.isEmpty, !state.stopping, MonotonicClock.now() < nextPoll {
                    lock.wait(untilNanoseconds: nextPoll)
                }
                let inputs = state.inbox
                state.inbox.removeAll(keepingCapacity: true)
                state.inboxBytes = 0
                state.inboxOverflowed = false
                state.delivering = !inputs.isEmpty
                return (inputs, state.stopping, !state.rooms.isEmpty)
            }
            if stopping { return }
            hadRooms = hasRooms
            var verified: Set<String> = []
            writer.cork()
            for input in inputs { process(input, verified: &verified) }
            let now = MonotonicClock.now()
            if now >= nextPoll {
                let interval = relay.kind != .redis ? Self.localPollNanoseconds : Self.relayPollNanoseconds
                nextPoll = now + (hasRooms ? interval : Self.relayPollNanoseconds)
                // Read even without rooms: a feed left unread (PostgreSQL's LISTEN connection) backs up on the server.
                let version = watcher?.version()
                if let version, version != lastVersion {
                    lastVersion = version
                    if hasRooms { pollAll(verified: &verified) }
                } else if announced, hasRooms {
                    // Announced but not visible yet: on SQLite the log is written before the commit shows (the
                    // last step updates shared memory, which no notice follows), so look again shortly.
                    nextPoll = now + Self.announcedRecheckNanoseconds
                }
                // On PostgreSQL without Redis the feed is the relay: it is degraded while the server is unreachable.
                if relay.kind == .postgres, watcher != nil {
                    let reachable: RelayState = version == nil ? .degraded : .connected
                    if reachable != feedState {
                        feedState = reachable
                        process(.relayState(reachable), verified: &verified)
                    }
                }
            }
            writer.uncork(mayBlock: false)
            if !inputs.isEmpty {
                lock.withLock {
                    state.delivering = false
                    lock.broadcast()
                }
            }
        }
    }

    /// Without Redis the change feed is the relay: rather than only looking at it every few milliseconds, the thread
    /// sleeps on the feed's socket as well as for input (PostgreSQL's LISTEN connection; SQLite's inotify watch of
    /// the write-ahead log), and looks at the feed as soon as the socket says a commit may have been made. Returns
    /// true then; false when woken for input, at the deadline, or when it may not sleep (input waiting, stopping, no
    /// wake-up descriptor). The look every few milliseconds stays, whatever the socket says.
    private func sleepOnFeed(_ socket: Int32, until deadline: UInt64) -> Bool {
        guard let feedWakeup else { return false }
        let now = MonotonicClock.now()
        let maySleep = lock.withLock {
            guard state.inbox.isEmpty, !state.stopping, now < deadline else { return false }
            state.sleepingOnFeed = true
            return true
        }
        guard maySleep else { return false }
        let timeout = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
        let announced = feedWakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: timeout)
        lock.withLock { state.sleepingOnFeed = false }
        return announced
    }

    private func process(_ input: Input, verified: inout Set<String>) {
        switch input {
        case .event(let event):
            deliver(event, verified: &verified)
        case .presence(let change):
            deliver(change)
        case .watch(let projectID):
            watcher?.watch(projectID)
        case .unwatch(let projectID):
            watcher?.unwatch(projectID)
        case .activate(let projectID):
            let pending: [PresenceChange] = lock.withLock {
                state.rooms[projectID]?.active = true
                defer { state.rooms[projectID]?.pendingPresence = [] }
                return state.rooms[projectID]?.pendingPresence ?? []
            }
            for change in pending { tell(change) }
            catchUpPresence()
            fill(projectID, verified: &verified)
        case .relayState(let relayState):
            if lock.withLock({ state.actor != nil }) { tell(.relayStatus(relayState, kind: relay.kind)) }
            if relayState == .connected { pollAll(verified: &verified) }
        case .poll:
            pollAll(verified: &verified)
        }
    }

    private func pollAll(verified: inout Set<String>) {
        catchUpPresence()
        let rooms = lock.withLock { state.rooms.values.filter(\.active).map(\.projectID) }
        for projectID in rooms { fill(projectID, verified: &verified) }
    }

    private func deliver(_ event: CommittedEvent, verified: inout Set<String>) {
        let cursor: Int64? = lock.withLock {
            guard let room = state.rooms[event.projectID], room.active else { return nil }
            return room.cursor
        }
        guard let cursor, event.seq > cursor else { return }
        if event.seq == cursor + 1 {
            guard stillMember(event.projectID, verified: &verified) else { return }
            write(event)
        } else {
            fill(event.projectID, verified: &verified)
        }
    }

    /// Writes every event of a room after its cursor, from the event log.
    private func fill(_ projectID: String, verified: inout Set<String>) {
        while true {
            guard let cursor = lock.withLock({ state.rooms[projectID].flatMap { $0.active ? $0.cursor : nil } }) else {
                return
            }
            let events: [CommittedEvent]
            do {
                events = try store.events(projectID: projectID, after: cursor, limit: 500)
            } catch {
                logger.warning("could not read the event log: \(error)")
                enqueue(.poll)
                return
            }
            // A removed project's log ends with `project.deleted`: the project reads as not found from then on, so
            // its last events go out without the membership check, and the room closes after them.
            let closing = events.last?.type == EventType.projectDeleted.rawValue
            guard !events.isEmpty, closing || stillMember(projectID, verified: &verified) else { return }
            for event in events where !write(event) { return }
            if closing {
                logger.info("project \(projectID) was removed; its room is closed")
                removed(projectID: projectID)
                return
            }
            if events.count < 500 { return }
        }
    }

    /// Checks, at most once per round of delivery and per ``membershipTrustNanoseconds``, that the session may still
    /// see a room; revokes it otherwise.
    private func stillMember(_ projectID: String, verified: inout Set<String>) -> Bool {
        if verified.contains(projectID) { return true }
        let now = MonotonicClock.now()
        let (actor, checked) = lock.withLock { (state.actor, state.membershipChecked[projectID]) }
        if let checked, now &- checked < Self.membershipTrustNanoseconds {
            verified.insert(projectID)
            return true
        }
        guard let actor else { return false }
        guard (try? store.isMember(userID: actor.user.id, projectID: projectID)) != false else {
            catchUpPresence()
            if lock.withLock({ state.rooms.removeValue(forKey: projectID) }) != nil {
                output.forget(projectID)
                relay.unsubscribe(projectID)
                watcher?.unwatch(projectID)
                tell(.revoked(projectID: projectID))
            }
            return false
        }
        lock.withLock { state.membershipChecked[projectID] = now }
        verified.insert(projectID)
        return true
    }

    /// Queues one event for the client; false when the client is too slow and was taken out of the room.
    ///
    /// A client that reads, only slower than events come (a large `since` replay, a burst), is waited for; one that
    /// has not made room for ``slowConsumerGraceMilliseconds`` has stopped reading and is taken out of the room.
    @discardableResult
    private func write(_ event: CommittedEvent) -> Bool {
        let messages = notifications.messages(for: event)
        // Messages of this event already queued: a wait for room resumes after them.
        var sent = 0
        while true {
            let waitingFor: Int? = lock.withLock {
                guard let room = state.rooms[event.projectID], room.active, event.seq == room.cursor + 1 else {
                    return nil
                }
                while sent < messages.count {
                    guard output.send(messages[sent], room: event.projectID, seq: event.seq) else {
                        return messages[sent].count
                    }
                    sent += 1
                }
                state.rooms[event.projectID]?.cursor = event.seq
                return nil
            }
            guard let waitingFor else { return true }
            guard awaitSpace(for: waitingFor, in: event.projectID) else { return false }
        }
    }

    /// Waits for the client to make room for `count` more bytes of notifications; when it has stopped reading,
    /// takes it out of the room and answers false.
    private func awaitSpace(for count: Int, in projectID: String) -> Bool {
        guard output.awaitSpace(for: count, graceMilliseconds: Self.slowConsumerGraceMilliseconds) else {
            evict(projectID)
            return false
        }
        return true
    }

    // MARK: Presence

    private func deliver(_ change: PresenceChange) {
        let next = lock.withLock { state.presenceCursor + 1 }
        if change.id == next {
            apply(change)
        } else if change.id > next {
            catchUpPresence()
        }
    }

    private func catchUpPresence() {
        guard lock.withLock({ !state.rooms.isEmpty }) else { return }
        while true {
            let after = lock.withLock { state.presenceCursor }
            guard let changes = try? store.presenceChanges(after: after), !changes.isEmpty else { return }
            for change in changes { apply(change) }
            if changes.count < 1000 { return }
        }
    }

    /// Takes the next presence change in id order; a room whose join reply is not out yet keeps it for later.
    private func apply(_ change: PresenceChange) {
        let now: Bool = lock.withLock {
            guard change.id > state.presenceCursor else { return false }
            state.presenceCursor = change.id
            if change.reason == .revoked { state.membershipChecked.removeValue(forKey: change.projectID) }
            guard let room = state.rooms[change.projectID], change.id > room.presenceFloor else { return false }
            guard room.active else {
                state.rooms[change.projectID]?.pendingPresence.append(change)
                return false
            }
            return true
        }
        if now { tell(change) }
    }

    /// Tells the client of a presence change in one of its active rooms.
    private func tell(_ change: PresenceChange) {
        enum Outcome {
            case none
            case notify(RoomNotice, seq: Int64)
            case revoked
            case timedOut
        }
        let outcome: Outcome = lock.withLock {
            guard let room = state.rooms[change.projectID], room.active, let actor = state.actor else { return .none }
            if change.sessionID == actor.sessionID {
                guard change.kind == .left else { return .none }
                return change.reason == .revoked ? .revoked : change.reason == .timeout ? .timedOut : .none
            }
            var params: JSONObject = [
                "projectId": .string(change.projectID),
                "sessionId": .string(change.sessionID),
                "user": change.user.json,
            ]
            if change.kind == .left { params["reason"] = .string((change.reason ?? .left).rawValue) }
            let method = change.kind == .joined ? "presence.joined" : "presence.left"
            return .notify(.presence(method: method, params: params), seq: room.cursor)
        }
        switch outcome {
        case .none:
            break
        case .notify(let notice, let seq):
            for message in notifications.messages(for: notice) {
                let bytes = message.bytes
                while !output.send(bytes, room: change.projectID, seq: seq) {
                    guard awaitSpace(for: bytes.count, in: change.projectID) else { return }
                }
            }
        case .revoked:
            removed(projectID: change.projectID)
            tell(.revoked(projectID: change.projectID))
        case .timedOut:
            // Another host timed this session out while this host was not heard from: start over cleanly.
            resync(change.projectID, leave: false)
        }
    }

    // MARK: Slow consumers

    /// Takes the session out of a room whose client stopped reading; it is told to rejoin with `since`.
    private func evict(_ projectID: String) {
        logger.notice("client too slow for room \(projectID); leaving it")
        resync(projectID, leave: true)
    }

    private func resync(_ projectID: String, leave: Bool) {
        guard let room = lock.withLock({ state.rooms.removeValue(forKey: projectID) }) else { return }
        let lastSeq = output.drop(projectID) ?? room.base
        output.forget(projectID)
        relay.unsubscribe(projectID)
        watcher?.unwatch(projectID)
        if leave, let sessionID = lock.withLock({ state.actor?.sessionID }) {
            do {
                if let change = try store.leave(sessionID: sessionID, projectID: projectID, reason: .closed) {
                    publish(change)
                }
            } catch {
                logger.warning("could not record leaving a room: \(error)")
            }
        }
        tell(.resync(projectID: projectID, lastSeq: lastSeq))
    }
}
