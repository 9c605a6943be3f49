import TaskwireProtocol
import TaskwireStore
import Testing

/// Card order: the same moves give the same ranks, events and errors on every backend.
@Suite struct StoreContractBoardTests {
    /// The worst case through the store: 1,000 moves into one ever smaller gap. Ranks stay at most 12
    /// characters, the column's order is always the one the moves asked for, and respacing is rare and told by a
    /// `task.reranked` event right before its move.
    @Test(arguments: Backend.allCases)
    func aThousandMovesIntoOneGapKeepRanksShort(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var order: [String] = []
        for index in 0..<10 { order.append(try world.createTask("card \(index)").id) }
        let anchor = order[2]
        let movers = [try world.createTask("x").id, try world.createTask("y").id]
        order += movers
        var versions = [movers[0]: Int64(1), movers[1]: Int64(1)]
        var respacings = 0
        for index in 0..<1000 {
            let id = movers[index % 2]
            let change = try world.store.moveTask(
                actor: world.alice,
                id: id,
                expectedVersion: versions[id]!,
                move: TaskMove(afterID: anchor)
            )
            versions[id] = change.entity.version
            #expect(change.entity.rank.utf8.count <= 12)
            #expect(change.event.type == "task.moved")
            if let reranked = change.precedingEvents.first {
                respacings += 1
                #expect(reranked.type == "task.reranked" && reranked.seq == change.seq - 1)
            }
            order.removeAll { $0 == id }
            order.insert(id, at: order.firstIndex(of: anchor)! + 1)
        }
        let board = try world.store.listTasks(
            user: world.alice.user,
            projectID: world.projectID,
            filter: {
                var filter = TaskFilter()
                filter.order = .board
                return filter
            }(),
            limit: 100,
            cursor: nil
        )
        #expect(board.items.map(\.id) == order)
        #expect(board.items.allSatisfy { $0.rank.utf8.count <= 12 })
        #expect(respacings > 0 && respacings < 50, "\(respacings) respacings")
        // Respacing changed no other card's version.
        #expect(board.items.filter { !movers.contains($0.id) }.allSatisfy { $0.version == 1 })
    }

    @Test(arguments: Backend.allCases)
    func boardPagesFollowColumnsAndRanks(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var expected: [String] = []
        for status in TaskStatus.allCases.reversed() {
            for index in 0..<3 {
                var new = NewTask(projectID: world.projectID, title: "\(status.rawValue) \(index)")
                new.status = status
                _ = try world.store.createTask(actor: world.alice, new)
            }
        }
        for status in TaskStatus.allCases {
            expected += (0..<3).map { "\(status.rawValue) \($0)" }
        }
        for limit in [1, 2, 3, 5, 12, 13] as [Int64] {
            var filter = TaskFilter()
            filter.order = .board
            var titles: [String] = []
            var cursor: String?
            repeat {
                let page = try world.store.listTasks(
                    user: world.alice.user,
                    projectID: world.projectID,
                    filter: filter,
                    limit: limit,
                    cursor: cursor
                )
                #expect(page.items.count <= limit)
                titles += page.items.map(\.title)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(titles == expected, "limit \(limit)")
        }
    }
}
