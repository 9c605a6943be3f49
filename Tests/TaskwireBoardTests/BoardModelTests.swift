import TaskwireBoard
import TaskwireProtocol
import Testing

/// A board of the simulated project, joined at `seq` with alice in the room.
func makeBoard(projectID: String = "prj_simulated", seq: Int64 = 0, presence: [JSON]? = nil) -> Board {
    Board(
        projectID: projectID,
        projectName: "Website",
        user: ("usr_alice", "alice"),
        relay: "local",
        seq: seq,
        presence: presence ?? [
            ["sessionId": "ses_alice", "user": ["id": "usr_alice", "name": "alice"], "joinedAt": "x"]
        ]
    )
}

/// A task object as the host sends it.
func taskJSON(
    _ id: String,
    status: String = "todo",
    rank: String = "0001000",
    version: Int64 = 1,
    title: String? = nil,
    assignee: String? = nil,
    labels: [String] = []
) -> JSON {
    [
        "id": .string(id), "projectId": "prj_simulated", "title": .string(title ?? "Title of \(id)"),
        "description": "", "status": .string(status), "priority": "medium", "assigneeId": .string(assignee),
        "dueDate": nil, "labels": .array(labels.map(JSON.string)), "rank": .string(rank), "version": .int(version),
        "createdBy": "usr_alice", "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
    ]
}

/// An event notification's params.
func event(_ type: String, seq: Int64, data: JSON, actor: (String, String) = ("usr_bob", "bob")) -> JSON {
    [
        "projectId": "prj_simulated", "seq": .int(seq), "type": .string(type), "at": "2026-01-01T00:00:00.000Z",
        "actor": ["id": .string(actor.0), "name": .string(actor.1)], "origin": ["sessionId": "ses_bob"], "data": data,
    ]
}

/// The columns of a board, as ids per status.
func columns(of board: Board) -> [[String]] {
    TaskStatus.allCases.map { board.columns[$0] ?? [] }
}

@Suite struct BoardModelTests {
    @Test func loadOrdersEachColumnByRankThenIDBytewise() {
        var board = makeBoard()
        board.load(tasks: [
            taskJSON("tsk_c", rank: "a"), taskJSON("tsk_b", rank: "B"), taskJSON("tsk_a", rank: "a"),
            taskJSON("tsk_d", rank: "a0"), taskJSON("tsk_e", status: "done", rank: "Z"),
            taskJSON("tsk_f", status: "done", rank: "Y"),
        ])
        // "B" (0x42) sorts before "a" (0x61); "a" before "a0"; equal ranks by id.
        #expect(board.columns[.todo] == ["tsk_b", "tsk_a", "tsk_c", "tsk_d"])
        #expect(board.columns[.done] == ["tsk_f", "tsk_e"])
        #expect(board.columns[.inProgress] == [])
    }

    /// Events applied in seq order to a board loaded at any point after the join give the columns of a fresh
    /// `task.list` at the end — whether the list was taken right at the join or after some of the events that
    /// follow it (as happens when others change the project while the board loads).
    @Test(arguments: 0..<24)
    func eventsInSeqOrderGiveTheOrderOfAFreshList(seed: Int) {
        var simulation = RoomSimulation(seed: UInt64(seed) &* 7919 &+ 1)
        simulation.run(60)
        var random = SplitMix64(state: UInt64(seed))
        let joinSeq = Int64.random(in: 0...simulation.seq, using: &random)
        simulation.run(240)
        let listSeq = Int64.random(in: joinSeq...simulation.seq, using: &random)

        var board = makeBoard(seq: joinSeq)
        board.load(tasks: simulation.snapshots[Int(listSeq)])
        for params in simulation.events.dropFirst(Int(joinSeq)) {
            let method = params["type"]?.stringValue ?? ""
            #expect(board.apply(method: method, params: params) == .changed)
        }

        var fresh = makeBoard(seq: simulation.seq)
        fresh.load(tasks: simulation.snapshots.last ?? [])
        let expected = TaskStatus.allCases.map { simulation.column($0) }
        #expect(columns(of: board) == expected, "seed \(seed): joined at \(joinSeq), listed at \(listSeq)")
        #expect(columns(of: fresh) == expected)
        #expect(board.cards == fresh.cards)
        #expect(board.lastSeq == simulation.seq)
        #expect(simulation.reranks > 0)
    }

    @Test func replayedEventsChangeNothing() {
        var board = makeBoard(seq: 5)
        board.load(tasks: [taskJSON("tsk_a")])
        let old = event("task.created", seq: 5, data: ["task": taskJSON("tsk_b")])
        #expect(board.apply(method: "task.created", params: old) == .unchanged)
        let other = event("task.created", seq: 6, data: ["task": taskJSON("tsk_c")])
        var foreign = other
        if case .object(var object) = foreign {
            object["projectId"] = "prj_other"
            foreign = .object(object)
        }
        #expect(board.apply(method: "task.created", params: foreign) == .unchanged)
        #expect(board.apply(method: "task.created", params: other) == .changed)
        #expect(board.columns[.todo] == ["tsk_a", "tsk_c"])
    }

    @Test func movesAndReranksReorderTheColumns() {
        var board = makeBoard()
        board.load(tasks: [
            taskJSON("tsk_a", rank: "0001000"), taskJSON("tsk_b", rank: "0002000"), taskJSON("tsk_c", rank: "0003000"),
        ])
        let moved = event(
            "task.moved",
            seq: 1,
            data: [
                "task": taskJSON("tsk_c", status: "in_progress", rank: "0000500", version: 2),
                "from": ["status": "todo", "rank": "0003000"], "to": ["status": "in_progress", "rank": "0000500"],
            ]
        )
        #expect(board.apply(method: "task.moved", params: moved) == .changed)
        #expect(board.columns[.todo] == ["tsk_a", "tsk_b"])
        #expect(board.columns[.inProgress] == ["tsk_c"])
        let reranked = event(
            "task.reranked",
            seq: 2,
            data: [
                "status": "todo", "ranks": [["id": "tsk_a", "rank": "0005000"], ["id": "tsk_b", "rank": "0006000"]],
            ]
        )
        #expect(board.apply(method: "task.reranked", params: reranked) == .changed)
        #expect(board.cards["tsk_a"]?.rank == "0005000")
        #expect(board.cards["tsk_a"]?.version == 1)
        let between = event(
            "task.moved",
            seq: 3,
            data: [
                "task": taskJSON("tsk_c", status: "todo", rank: "0005500", version: 3),
                "from": ["status": "in_progress", "rank": "0000500"], "to": ["status": "todo", "rank": "0005500"],
            ]
        )
        _ = board.apply(method: "task.moved", params: between)
        #expect(board.columns[.todo] == ["tsk_a", "tsk_c", "tsk_b"])
        let deleted = event("task.deleted", seq: 4, data: ["taskId": "tsk_a"])
        _ = board.apply(method: "task.deleted", params: deleted)
        #expect(board.columns[.todo] == ["tsk_c", "tsk_b"])
        #expect(board.cards["tsk_a"] == nil)
    }

    @Test func presenceAndNamesComeFromTheJoinAndTheRoom() {
        var board = makeBoard()
        #expect(board.people == ["alice"])
        let bob: JSON = ["id": "usr_bob", "name": "bob"]
        _ = board.apply(
            method: "presence.joined",
            params: ["projectId": "prj_simulated", "sessionId": "s1", "user": bob]
        )
        _ = board.apply(
            method: "presence.joined",
            params: ["projectId": "prj_simulated", "sessionId": "s2", "user": bob]
        )
        #expect(board.people == ["alice", "bob (2)"])
        let left: JSON = ["projectId": "prj_simulated", "sessionId": "s1", "user": bob, "reason": "closed"]
        _ = board.apply(method: "presence.left", params: left)
        #expect(board.people == ["alice", "bob"])
        #expect(board.displayName(of: "usr_carol_12345") == "usr_carol_")
        let created = event(
            "task.created",
            seq: 1,
            data: ["task": taskJSON("tsk_a", assignee: "usr_carol")],
            actor: ("usr_carol", "carol")
        )
        _ = board.apply(method: "task.created", params: created)
        #expect(board.displayName(of: "usr_carol") == "carol")
    }

    @Test func projectEventsRenameAndClose() {
        var board = makeBoard()
        board.load(tasks: [taskJSON("tsk_a")])
        let renamed = event(
            "project.updated",
            seq: 1,
            data: ["project": ["id": "prj_simulated", "organizationId": "org_1", "name": "Site"]],
            actor: ("admin", "taskwire admin")
        )
        _ = board.apply(method: "project.updated", params: renamed)
        #expect(board.projectName == "Site")
        #expect(board.names["admin"] == nil)
        _ = board.apply(method: "project.revoked", params: ["projectId": "prj_simulated"])
        #expect(board.closure == .revoked)
        #expect(board.cards.isEmpty)
        let late = event("task.created", seq: 2, data: ["task": taskJSON("tsk_b")])
        #expect(board.apply(method: "task.created", params: late) == .unchanged)
    }

    @Test func relayStatusAndResync() {
        var board = makeBoard(seq: 7)
        _ = board.apply(method: "relay.status", params: ["state": "degraded", "relay": "redis"])
        #expect(board.relayState == "degraded")
        #expect(board.relayKind == "redis")
        let resync = board.apply(method: "project.resync", params: ["projectId": "prj_simulated", "lastSeq": 7])
        #expect(resync == .rejoin(since: 7))
    }

    @Test func anOpenCardFollowsItsComments() {
        let comment: JSON = [
            "id": "cmt_1", "taskId": "tsk_a", "projectId": "prj_simulated", "authorId": "usr_bob", "body": "First",
            "version": 1, "createdAt": "t", "updatedAt": "t",
        ]
        var detail = CardDetail(taskID: "tsk_a", comments: [comment])
        var second = comment
        var edited = comment
        if case .object(var object) = comment {
            object["id"] = "cmt_2"
            object["body"] = "Second"
            second = .object(object)
            object["id"] = "cmt_1"
            object["body"] = "First, edited"
            object["version"] = 2
            edited = .object(object)
        }
        detail.apply(method: "comment.created", params: event("comment.created", seq: 1, data: ["comment": second]))
        detail.apply(method: "comment.created", params: event("comment.created", seq: 1, data: ["comment": second]))
        detail.apply(method: "comment.updated", params: event("comment.updated", seq: 2, data: ["comment": edited]))
        #expect(detail.comments.map(\.body) == ["First, edited", "Second"])
        let removal: JSON = ["commentId": "cmt_1", "taskId": "tsk_a"]
        detail.apply(method: "comment.deleted", params: event("comment.deleted", seq: 3, data: removal))
        #expect(detail.comments.map(\.id) == ["cmt_2"])
        detail.apply(method: "task.deleted", params: event("task.deleted", seq: 4, data: ["taskId": "tsk_other"]))
        #expect(!detail.deleted)
        detail.apply(method: "task.deleted", params: event("task.deleted", seq: 5, data: ["taskId": "tsk_a"]))
        #expect(detail.deleted)
    }
}
