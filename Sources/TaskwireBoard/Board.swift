public import TaskwireProtocol

/// The state of one project's room as the board shows it: the cards in their columns, who is in the room, the
/// names learned so far, and the relay's state. Built from `task.list` and kept current by applying the room's
/// notifications in the order they arrive.
///
/// Pure: no I/O. Applying the events of a room in `seq` order to the board loaded before them gives the same
/// columns as a fresh `task.list`.
public struct Board: Sendable {
    /// Someone in the room: one session of a user.
    public struct Presence: Sendable, Equatable {
        public var sessionID: String
        public var userID: String
        public var name: String
    }

    /// Why the board no longer follows its room.
    public enum Closure: Sendable, Equatable {
        /// The project was removed (`project.deleted`).
        case deleted
        /// The user lost access to the project (`project.revoked`).
        case revoked
    }

    public let projectID: String
    public private(set) var projectName: String
    /// This session's user.
    public let userID: String
    public private(set) var cards: [String: BoardCard] = [:]
    /// Card ids per column, in board order.
    public private(set) var columns: [TaskStatus: [String]] = [:]
    /// Who is in the room, in the order they joined.
    public private(set) var presence: [Presence] = []
    /// Names of users, by id: from presence and the actors of events (no method lists an organization's members).
    public private(set) var names: [String: String] = [:]
    /// The last event applied.
    public private(set) var lastSeq: Int64
    /// `connected` or `degraded`, and the kind of relay.
    public private(set) var relayState = "connected"
    public private(set) var relayKind: String
    public private(set) var closure: Closure?

    /// A board for the room joined at `seq`, with the join's `presence` entries.
    public init(
        projectID: String,
        projectName: String,
        user: (id: String, name: String),
        relay: String,
        seq: Int64,
        presence: [JSON]
    ) {
        self.projectID = projectID
        self.projectName = projectName
        userID = user.id
        relayKind = relay
        lastSeq = seq
        names[user.id] = user.name
        for status in TaskStatus.allCases { columns[status] = [] }
        for entry in presence {
            join(sessionID: entry["sessionId"]?.stringValue, user: entry["user"])
        }
    }

    /// Replaces the cards with the tasks of a `task.list` taken after the join.
    public mutating func load(tasks: [JSON]) {
        cards = [:]
        for task in tasks {
            if let card = BoardCard(task: task) { cards[card.id] = card }
        }
        for status in TaskStatus.allCases {
            columns[status] = cards.values.filter { $0.status == status }.sorted { $0.precedes($1) }.map(\.id)
        }
    }

    /// Replaces who is in the room with the presence of a new join of the same room (after `project.resync`).
    public mutating func rejoined(presence entries: [JSON]) {
        presence = []
        for entry in entries {
            join(sessionID: entry["sessionId"]?.stringValue, user: entry["user"])
        }
    }

    /// The cards of one column, in board order.
    public func cards(in status: TaskStatus) -> [BoardCard] {
        (columns[status] ?? []).compactMap { cards[$0] }
    }

    /// The name to show for a user: the name learned, else a short form of the id.
    public func displayName(of userID: String) -> String {
        names[userID] ?? String(userID.prefix(10))
    }

    /// The names of the people in the room, each once, in the order they joined, with their number of sessions
    /// when more than one.
    public var people: [String] {
        var order: [String] = []
        var sessions: [String: Int] = [:]
        for entry in presence {
            if sessions[entry.userID] == nil { order.append(entry.userID) }
            sessions[entry.userID, default: 0] += 1
        }
        return order.map { user in
            let count = sessions[user] ?? 1
            return count > 1 ? "\(displayName(of: user)) (\(count))" : displayName(of: user)
        }
    }

    // MARK: Changes

    /// Adds a session to the room (a join, or `presence.joined`), learning its user's name.
    mutating func join(sessionID: String?, user: JSON?) {
        guard let sessionID, let userID = user?["id"]?.stringValue else { return }
        let name = user?["name"]?.stringValue ?? ""
        if !name.isEmpty { names[userID] = name }
        guard !presence.contains(where: { $0.sessionID == sessionID }) else { return }
        presence.append(Presence(sessionID: sessionID, userID: userID, name: name))
    }

    mutating func leave(sessionID: String?) {
        presence.removeAll { $0.sessionID == sessionID }
    }

    mutating func learn(userID: String?, name: String?) {
        guard let userID, let name, !name.isEmpty, userID != "admin" else { return }
        names[userID] = name
    }

    mutating func setRelay(state: String?, kind: String?) {
        if let state { relayState = state }
        if let kind { relayKind = kind }
    }

    mutating func rename(_ name: String) {
        projectName = name
    }

    /// Ends the board's following of the room: nothing of the project can be shown any more.
    mutating func close(_ closure: Closure) {
        self.closure = closure
        cards = [:]
        for status in TaskStatus.allCases { columns[status] = [] }
        presence = []
    }

    /// Records `seq` as applied; false when it was already (a replay after a rejoin).
    mutating func advance(to seq: Int64) -> Bool {
        guard seq > lastSeq else { return false }
        lastSeq = seq
        return true
    }

    /// Puts a task as an event carries it on the board, unless the board already has it at a later version.
    ///
    /// The list loaded after the join may be newer than the first events that follow it. An event at the listed
    /// version is applied all the same: it carries the same task, and puts back the rank that the reranks applied
    /// before it (skipped versions, or reranks older than the list) may have changed. So once every event up to the
    /// list's is applied, each card is as listed, and the events after it carry the board on.
    mutating func put(task: JSON) {
        guard let card = BoardCard(task: task) else { return }
        if let old = cards[card.id] {
            guard card.version >= old.version else { return }
            columns[old.status]?.removeAll { $0 == card.id }
        }
        cards[card.id] = card
        insert(card)
    }

    mutating func remove(taskID: String) {
        guard let old = cards.removeValue(forKey: taskID) else { return }
        columns[old.status]?.removeAll { $0 == taskID }
    }

    /// New ranks for cards of one column (`task.reranked`); their order does not change, but later moves are
    /// placed among the new ranks.
    mutating func rerank(status: TaskStatus, ranks: [JSON]) {
        for entry in ranks {
            guard let id = entry["id"]?.stringValue, let rank = entry["rank"]?.stringValue,
                var card = cards[id], card.status == status
            else { continue }
            card.rank = rank
            cards[id] = card
        }
        columns[status] = cards(in: status).sorted { $0.precedes($1) }.map(\.id)
    }

    /// Inserts a card at its place in its column.
    private mutating func insert(_ card: BoardCard) {
        var column = columns[card.status] ?? []
        var low = 0
        var high = column.count
        while low < high {
            let middle = (low + high) / 2
            if let other = cards[column[middle]], other.precedes(card) { low = middle + 1 } else { high = middle }
        }
        column.insert(card.id, at: low)
        columns[card.status] = column
    }
}
