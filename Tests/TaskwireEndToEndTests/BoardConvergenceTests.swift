import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Protocol/openrpc.json (task.move): clients on several hosts move cards at once, each from its own (soon stale)
/// view of the board; every client that applies the room's events in `seq` order ends with the order that
/// `task.list {order: "board"}` answers, and no rank grows long.
@Suite struct BoardConvergenceTests {
    static let taskCount = 12
    static let movesPerHost = 60

    /// The board as a client builds it from events: each task's column and rank.
    private struct BoardModel {
        var cards: [String: (status: String, rank: String)] = [:]
        var problems: [String] = []

        mutating func apply(_ event: JSON) {
            let data = event["data"] ?? .null
            let seq = event["seq"]?.text ?? "?"
            switch event["type"]?.stringValue {
            case "task.created", "task.statusChanged", "task.updated":
                let task = data["task"] ?? .null
                cards[task.id] = (task["status"]?.stringValue ?? "", task["rank"]?.stringValue ?? "")
            case "task.moved":
                let task = data["task"] ?? .null
                let from = (data["from"]?["status"]?.stringValue ?? "", data["from"]?["rank"]?.stringValue ?? "")
                if let known = cards[task.id], known != from {
                    problems.append("seq \(seq): moved from \(from) but the model had \(known)")
                }
                cards[task.id] = (data["to"]?["status"]?.stringValue ?? "", data["to"]?["rank"]?.stringValue ?? "")
            case "task.reranked":
                let status = data["status"]?.stringValue ?? ""
                for entry in data["ranks"]?.arrayValue ?? [] {
                    if cards[entry.id]?.status != status { problems.append("seq \(seq): reranked outside its column") }
                    cards[entry.id]?.rank = entry["rank"]?.stringValue ?? ""
                }
            case "task.deleted":
                cards[data["taskId"]?.stringValue ?? ""] = nil
            default:
                break
            }
        }

        /// The ids in board order: columns in workflow order, then rank and id, compared bytewise.
        var order: [String] {
            let columns = TaskStatus.allCases.map(\.rawValue)
            return cards.sorted { a, b in
                let (ca, cb) = (
                    columns.firstIndex(of: a.value.status) ?? 9, columns.firstIndex(of: b.value.status) ?? 9
                )
                if ca != cb { return ca < cb }
                if a.value.rank != b.value.rank {
                    return a.value.rank.utf8.lexicographicallyPrecedes(b.value.rank.utf8)
                }
                return a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
            }.map(\.key)
        }
    }

    @Test(.heavyLoad, arguments: RoomRelay.allCases)
    func randomConcurrentMovesFromSeveralHostsConverge(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob", "carol"])
        let project = world.projectID
        let hosts = [
            try await world.host(as: "alice"), try await world.host(as: "bob"), try await world.host(as: "carol"),
        ]
        var starts: [Int] = []
        for host in hosts {
            starts.append(host.count)
            try await host.join(project)
        }
        for index in 0..<Self.taskCount {
            try await hosts[0].request(
                "task.create",
                [
                    "projectId": .string(project), "title": .string("card \(index)"),
                    "status": .string(TaskStatus.allCases[index % 2].rawValue),
                ]
            )
        }
        let moved = try await withThrowingTaskGroup(of: Int.self) { group in
            for host in hosts {
                group.addTask { try await Self.moveAtRandom(host, project: project) }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(moved.allSatisfy { $0 > 0 }, "every host must get some moves through: \(moved)")

        let log = try await hosts[0].eventLog(projectID: project)
        let last = Int64(log.count)
        let board = try await Self.board(hosts[0], project: project)
        #expect(board.count == Self.taskCount)
        #expect(board.allSatisfy { ($0["rank"]?.stringValue?.utf8.count ?? 99) <= 12 }, "ranks stay short")
        for (host, start) in zip(hosts, starts) {
            try await RoomExpect.waitForSeq(host, last, projectID: project, after: start)
            var model = BoardModel()
            for message in host.messages(from: start).events(of: project) { model.apply(message.params) }
            #expect(model.problems.isEmpty, "\(model.problems.prefix(5))")
            #expect(model.order == board.map(\.id), "a client applying the events must show the board's order")
        }
        await RoomExpect.orderlyExit(world)
    }

    /// Moves random cards to random places from the board as this client last read it; a stale view is refused
    /// (conflict or a neighbour that moved away), and the client reads again. Returns how many moves succeeded.
    private static func moveAtRandom(_ host: RoomClient, project: String) async throws -> Int {
        var succeeded = 0
        var board = try await board(host, project: project)
        for _ in 0..<movesPerHost {
            let card = board.randomElement()!
            let status =
                Bool.random() ? card["status"]?.stringValue ?? "todo" : TaskStatus.allCases.randomElement()!.rawValue
            let column = board.filter { $0["status"]?.stringValue == status && $0.id != card.id }
            var params: JSONObject = [
                "id": .string(card.id), "expectedVersion": card["version"] ?? 1, "status": .string(status),
            ]
            if !column.isEmpty {
                let slot = Int.random(in: 0...column.count)
                let after = slot > 0 ? column[slot - 1].id : nil
                let before = slot < column.count ? column[slot].id : nil
                switch Int.random(in: 0..<3) {
                case 0: if let after { params["afterId"] = .string(after) }
                case 1: if let before { params["beforeId"] = .string(before) }
                default:
                    if let after { params["afterId"] = .string(after) }
                    if let before { params["beforeId"] = .string(before) }
                }
            }
            do {
                try await host.request("task.move", params)
                succeeded += 1
            } catch let error as RoomCallError where error.code == -32009 || error.code == -32602 {
                board = try await Self.board(host, project: project)
            }
            if Int.random(in: 0..<4) == 0 { board = try await Self.board(host, project: project) }
        }
        return succeeded
    }

    private static func board(_ host: RoomClient, project: String) async throws -> [JSON] {
        let page = try await host.request("task.list", ["projectId": .string(project), "order": "board", "limit": 500])
        return page["tasks"]?.arrayValue ?? []
    }
}
