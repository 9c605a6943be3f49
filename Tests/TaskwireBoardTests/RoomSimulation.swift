import TaskwireProtocol

/// A small deterministic random source, so that a failing seed fails the same way every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// A stand-in for a host's project: tasks with ranks, changed by random creates, updates, status changes, moves
/// (with reranks when a gap is used up) and deletions, each appending the event the host would send. Ranks are
/// fixed-width decimal strings, so that bytewise order is numeric order and gaps run out quickly.
struct RoomSimulation {
    struct Task {
        var id: String
        var title: String
        var status: TaskStatus
        var rank: Int
        var version: Int64
        var labels: [String]
    }

    let projectID = "prj_simulated"
    /// The gap between neighbours after a rerank, and below the last card for a new one: small, so that moves use
    /// gaps up and reranks are frequent.
    static let spacing = 4
    private(set) var tasks: [String: Task] = [:]
    private(set) var events: [JSON] = []
    /// The tasks as `task.list` would give them after each seq (index 0: before any event).
    private(set) var snapshots: [[JSON]] = [[]]
    /// How many reranks the run made.
    private(set) var reranks = 0
    private var random: SplitMix64
    private var nextID = 0

    init(seed: UInt64) {
        random = SplitMix64(state: seed)
    }

    var seq: Int64 { Int64(events.count) }

    /// Runs `count` random changes.
    mutating func run(_ count: Int) {
        for _ in 0..<count {
            let roll = Int.random(in: 0..<100, using: &random)
            let ids = tasks.keys.sorted()
            if ids.isEmpty || roll < 25 {
                create()
            } else if let id = ids.randomElement(using: &random) {
                switch roll {
                case 25..<40: update(id)
                case 40..<55: setStatus(id, TaskStatus.allCases.randomElement(using: &random) ?? .todo)
                case 55..<92: move(id)
                default: delete(id)
                }
            }
        }
    }

    /// The ids of a column as the host orders them: by rank, then id.
    func column(_ status: TaskStatus) -> [String] {
        tasks.values.filter { $0.status == status }.sorted { ($0.rankText, $0.id) < ($1.rankText, $1.id) }.map(\.id)
    }

    mutating func create() {
        nextID += 1
        let status = TaskStatus.allCases.randomElement(using: &random) ?? .todo
        let task = Task(
            id: "tsk_\(String(nextID, radix: 36))",
            title: "Task \(nextID)",
            status: status,
            rank: bottomRank(of: status),
            version: 1,
            labels: []
        )
        tasks[task.id] = task
        record("task.created", ["task": task.json(projectID)])
    }

    mutating func update(_ id: String) {
        guard var task = tasks[id] else { return }
        task.title += "!"
        task.labels = ["l\(task.version)"]
        task.version += 1
        tasks[id] = task
        record("task.updated", ["task": task.json(projectID)])
    }

    mutating func setStatus(_ id: String, _ status: TaskStatus) {
        guard var task = tasks[id] else { return }
        let from = task.status
        if from != status { task.rank = bottomRank(of: status) }
        task.status = status
        task.version += 1
        tasks[id] = task
        record(
            "task.statusChanged",
            ["task": task.json(projectID), "from": .string(from.rawValue), "to": .string(status.rawValue)]
        )
    }

    /// Moves a task to a random place of a random column, respacing the column first when the gap is used up.
    mutating func move(_ id: String) {
        guard var task = tasks[id] else { return }
        let status = TaskStatus.allCases.randomElement(using: &random) ?? .todo
        var others = column(status).filter { $0 != id }
        let position = Int.random(in: 0...others.count, using: &random)
        var below = position > 0 ? tasks[others[position - 1]]?.rank ?? 0 : 0
        var above = position < others.count ? tasks[others[position]]?.rank ?? 0 : below + 2 * Self.spacing
        if above - below < 2 {
            var ranks: [JSON] = []
            for (index, other) in others.enumerated() {
                tasks[other]?.rank = (index + 1) * Self.spacing
                ranks.append(["id": .string(other), "rank": .string(rankText((index + 1) * Self.spacing))])
            }
            reranks += 1
            record("task.reranked", ["status": .string(status.rawValue), "ranks": .array(ranks)])
            others = column(status).filter { $0 != id }
            below = position > 0 ? tasks[others[position - 1]]?.rank ?? 0 : 0
            above = position < others.count ? tasks[others[position]]?.rank ?? 0 : below + 2 * Self.spacing
        }
        let from: JSON = ["status": .string(task.status.rawValue), "rank": .string(task.rankText)]
        task.status = status
        task.rank = (below + above) / 2
        task.version += 1
        tasks[id] = task
        let to: JSON = ["status": .string(status.rawValue), "rank": .string(task.rankText)]
        record("task.moved", ["task": task.json(projectID), "from": from, "to": to])
    }

    mutating func delete(_ id: String) {
        tasks[id] = nil
        record("task.deleted", ["taskId": .string(id)])
    }

    private func bottomRank(of status: TaskStatus) -> Int {
        (column(status).last.flatMap { tasks[$0]?.rank } ?? 0) + Self.spacing
    }

    private mutating func record(_ type: String, _ data: JSONObject) {
        let seq = Int64(events.count + 1)
        events.append([
            "projectId": .string(projectID), "seq": .int(seq), "type": .string(type),
            "at": "2026-01-01T00:00:00.000Z", "actor": ["id": "usr_bob", "name": "bob"],
            "origin": ["sessionId": "ses_other"], "data": .object(data),
        ])
        snapshots.append(tasks.values.sorted { $0.id < $1.id }.map { $0.json(projectID) })
    }
}

func rankText(_ rank: Int) -> String {
    let digits = String(rank)
    return String(repeating: "0", count: max(0, 7 - digits.count)) + digits
}

extension RoomSimulation.Task {
    var rankText: String { TaskwireBoardTests.rankText(rank) }

    func json(_ projectID: String) -> JSON {
        [
            "id": .string(id), "projectId": .string(projectID), "title": .string(title), "description": "",
            "status": .string(status.rawValue), "priority": "medium", "assigneeId": nil, "dueDate": nil,
            "labels": .array(labels.map(JSON.string)), "rank": .string(rankText), "version": .int(version),
            "createdBy": "usr_bob", "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
        ]
    }
}
