import Foundation
import GRDB
import TaskwireProtocol
import TaskwireSync
import Testing

@testable import TaskwireStore

/// The triggers note the tasks whose text changed ("v7-search-pending"); their index rows are rewritten later, by a
/// search that finds tasks pending or by the host's upkeep. A search finds every change committed before it (a
/// group's own included), what a failed call wrote never reaches the index, and the upkeep is due after a quiet
/// moment, a number of writes, or an age.
@Suite struct SearchPendingTests {
    private struct World {
        let temporary: TemporaryStore
        let alice: UserRef
        let actor: ActingSession
        let projectID: String
        var store: SQLiteStore { temporary.store }

        init(_ temporary: TemporaryStore? = nil) throws {
            self.temporary = try temporary ?? TemporaryStore()
            let store = self.temporary.store
            alice = try store.addUser(name: "alice", email: nil).user
            actor = ActingSession(user: alice, sessionID: "ses_alice")
            _ = try store.addOrganization(name: "Acme", owner: "alice")
            projectID = try store.addProject(organization: "Acme", name: "Web").id
        }

        func search(_ text: String) throws -> [String] {
            try store.searchTasks(
                user: alice,
                query: try SearchQuery(parsing: text),
                scope: SearchScope(),
                limit: 100,
                cursor: nil
            ).items.map(\.task.id)
        }

        func retitle(_ id: String, _ version: Int64, _ title: String) throws(StoreError) {
            var patch = TaskPatch()
            patch.title = title
            _ = try store.updateTask(actor: actor, id: id, expectedVersion: version, patch: patch)
        }

        /// What the index holds: its title column by task id, and how many tasks are still pending. Only a pending
        /// task may have lost its task and kept its index row.
        func indexed() throws -> (titles: [String: String], pending: Int) {
            try store.pool.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.task_id, i.title FROM search_index i JOIN search_rows r ON r.rowid = i.rowid
                        """
                )
                let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM search_pending") ?? -1
                let orphans = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM search_rows
                        WHERE task_id NOT IN (SELECT id FROM tasks) AND task_id NOT IN (SELECT task_id FROM search_pending)
                        """
                )
                #expect(orphans == 0)
                return (Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as String) }), pending)
            }
        }
    }

    @Test func aSearchInAGroupFindsWhatTheGroupWrote() throws {
        let world = try World()
        let kept = try world.store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "x"))
        let other = try world.store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "y"))
        var seenInGroup: [[String]] = []
        var failures: [any Error] = []
        let result = world.store.runGrouped {
            // The call that fails after it wrote makes the group run its calls again: only the last run counts.
            seenInGroup.removeAll()
            failures.removeAll()
            do {
                for version in 1...40 { try world.retitle(kept.entity.id, Int64(version), "draft \(version)") }
                seenInGroup.append(try world.search("draft"))
                seenInGroup.append(try world.search("x"))
                let created = try world.store.createTask(
                    actor: world.actor,
                    NewTask(projectID: world.projectID, title: "fresh")
                )
                seenInGroup.append(try world.search("fresh"))
                _ = try world.store.deleteTask(actor: world.actor, id: created.entity.id, expectedVersion: 1)
                seenInGroup.append(try world.search("fresh"))
            } catch {
                failures.append(error)
            }
            // A call that fails after it wrote: its savepoint is rolled back, its text never indexed.
            do {
                _ = try world.store.write { db in
                    try db.execute(sql: "UPDATE tasks SET title = 'ghost' WHERE id = ?", arguments: [other.entity.id])
                    throw StoreError.failure("rolled back")
                }
            } catch {
                failures.append(error)
            }
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(failures.count == 1, "only the call that throws fails")
        #expect(seenInGroup == [[kept.entity.id], [], [seenInGroup[2].first ?? "?"], []])
        #expect(seenInGroup[2].count == 1)
        let (titles, pending) = try world.indexed()
        #expect(titles == [kept.entity.id: "draft 40", other.entity.id: "y"])
        #expect(pending == 0)
        #expect(try world.search("draft 40") == [kept.entity.id])
        #expect(try world.search("ghost").isEmpty)
        #expect(try world.search("y") == [other.entity.id])
    }

    @Test func aSearchFindsEveryCommittedChangeThoughItsIndexRowWasNotYetRewritten() throws {
        let world = try World()
        let task = try world.store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "plan"))
        #expect(try world.indexed() == ([:], 1), "the write notes the task and leaves its index row for later")
        #expect(try world.search("plan") == [task.entity.id])
        #expect(try world.indexed() == ([task.entity.id: "plan"], 0), "the search brought the index up to date")
        let comment = try world.store.createComment(actor: world.actor, taskID: task.entity.id, body: "auditors")
        #expect(try world.indexed().pending == 1)
        #expect(try world.search("auditors") == [task.entity.id])
        _ = try world.store.updateComment(actor: world.actor, id: comment.entity.id, expectedVersion: 1, body: "legal")
        #expect(try world.search("auditors").isEmpty)
        #expect(try world.search("legal plan") == [task.entity.id])
        // A status change does not touch the index's text; a title set to the same text is not noted either.
        _ = try world.store.setTaskStatus(actor: world.actor, id: task.entity.id, expectedVersion: 1, status: .done)
        try world.retitle(task.entity.id, 2, "plan")
        #expect(try world.indexed() == ([task.entity.id: "plan"], 0))
        _ = try world.store.deleteTask(actor: world.actor, id: task.entity.id, expectedVersion: 3)
        #expect(try world.indexed() == ([task.entity.id: "plan"], 1))
        #expect(try world.search("legal").isEmpty)
        #expect(try world.indexed() == ([:], 0))
    }

    /// Another host (another store on the file) finds what this one wrote and left pending, and brings the index
    /// up to date for both in its own upkeep.
    @Test func pendingTasksOfAnotherHostAreFoundAndIndexed() throws {
        let world = try World()
        let other = try SQLiteStore(path: world.temporary.path)
        let task = try world.store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "audit"))
        #expect(other.upkeepDelayMilliseconds() == nil, "the other store wrote nothing itself")
        let found = try other.searchTasks(
            user: world.alice,
            query: try SearchQuery(parsing: "audit"),
            scope: SearchScope(),
            limit: 10,
            cursor: nil
        )
        #expect(found.items.map(\.task.id) == [task.entity.id])
        try world.retitle(task.entity.id, 1, "budget")
        try other.runUpkeep()
        #expect(try world.indexed() == ([task.entity.id: "budget"], 0))
    }

    @Test func theUpkeepIsDueAfterAQuietMomentManyWritesOrAnAge() throws {
        let world = try World()
        let store = world.store
        // However slow the machine, the count, not the age, makes it due in the first part.
        store.searchBacklog.withLock { $0.maxAgeNanoseconds = 3_600_000_000_000 }
        #expect(store.upkeepDelayMilliseconds() == nil, "the world's users, organization and project note no task")
        let task = try store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "v0"))
        let delay = try #require(store.upkeepDelayMilliseconds())
        #expect(delay > 0 && delay <= SQLiteStore.upkeepQuietMilliseconds, "it waits for a quiet moment")
        try store.runUpkeep()
        #expect(store.upkeepDelayMilliseconds() == nil)
        #expect(try world.indexed() == ([task.entity.id: "v0"], 0))
        // Writes that change no task's text leave no upkeep to run: a status, a session's heartbeat.
        _ = try store.setTaskStatus(actor: world.actor, id: task.entity.id, expectedVersion: 1, status: .done)
        try store.registerSession(id: "ses_other", userID: world.alice.id, pid: 1)
        #expect(try store.heartbeat(sessionID: "ses_other"))
        #expect(store.upkeepDelayMilliseconds() == nil)

        for version in 2...SQLiteStore.upkeepMaxWrites {
            try world.retitle(task.entity.id, Int64(version), "v\(version)")
        }
        #expect((store.upkeepDelayMilliseconds() ?? 0) > 0)
        try world.retitle(task.entity.id, Int64(SQLiteStore.upkeepMaxWrites) + 1, "last")
        #expect(store.upkeepDelayMilliseconds() == 0, "due after \(SQLiteStore.upkeepMaxWrites) writes")
        // A search brings the index up to date but leaves the upkeep's own bookkeeping: it finds nothing to do.
        #expect(try world.search("last") == [task.entity.id])
        try store.runUpkeep()
        #expect(try world.indexed() == ([task.entity.id: "last"], 0))

        store.searchBacklog.withLock { $0.maxAgeNanoseconds = 20_000_000 }
        try world.retitle(task.entity.id, Int64(SQLiteStore.upkeepMaxWrites) + 2, "aged")
        usleep(30_000)
        #expect(store.upkeepDelayMilliseconds() == 0, "due once the oldest write is old enough")
        try store.runUpkeep()
        #expect(store.upkeepDelayMilliseconds() == nil)
        #expect(try world.indexed() == ([task.entity.id: "aged"], 0))
        #expect(throws: StoreError.self) { try world.retitle(task.entity.id, 1, "stale") }
        #expect(try world.indexed() == ([task.entity.id: "aged"], 0), "a call that failed noted nothing")
    }

    /// The upkeep runs on the host's reading thread: it never waits for another connection's write lock, and stays
    /// due until it could run.
    @Test func theUpkeepDoesNotWaitForAnotherHostsLock() throws {
        let world = try World()
        let store = world.store
        let task = try store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "locked"))
        // Another connection holds an exclusive transaction, on a thread of its own, until released.
        let other = try DatabaseQueue(path: world.temporary.path)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? other.inTransaction(.exclusive) { _ in
                locked.signal()
                release.wait()
                return .commit
            }
            released.signal()
        }
        locked.wait()
        let start = MonotonicClock.now()
        let error = #expect(throws: StoreError.self) { try store.runUpkeep() }
        #expect(error?.kind == .busy)
        let waited = Double(MonotonicClock.now() - start) / 1e9
        #expect(waited < SQLiteStore.busyTimeout, "it did not wait out the busy timeout (\(waited) s)")
        let delay = try #require(store.upkeepDelayMilliseconds(), "it stays due")
        #expect(delay > SQLiteStore.upkeepQuietMilliseconds, "and tries again only after a while")
        release.signal()
        released.wait()
        try store.runUpkeep()
        #expect(try world.indexed() == ([task.entity.id: "locked"], 0))
        #expect(store.upkeepDelayMilliseconds() == nil)
        // The store's own writes still wait for the lock as before.
        try world.retitle(task.entity.id, 1, "unlocked")
    }

    /// A database whose index was kept by the triggers of "v6-search" keeps its rows and its search results
    /// across the migration, and changes after it are indexed by the new triggers.
    @Test func theMigrationKeepsTheIndexAndReplacesTheTriggers() throws {
        let temporary = try TemporaryStore()
        let world = try World(temporary)
        let task = try world.store.createTask(actor: world.actor, NewTask(projectID: world.projectID, title: "budget"))
        // Back to the schema of "v6-search", its index built from the data and kept by its own triggers.
        try world.store.pool.write { db in
            for trigger in Schema.searchTriggers { try db.execute(sql: "DROP TRIGGER search_\(trigger.name)") }
            try db.execute(sql: "DROP TABLE search_pending; DROP TABLE search_index; DROP TABLE search_rows")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v6-search', 'v7-search-pending')")
        }
        try Schema.migrator.migrate(world.store.pool, upTo: "v6-search")
        try world.store.pool.write { db in
            try db.execute(sql: "UPDATE tasks SET title = 'budget review' WHERE id = ?", arguments: [task.entity.id])
        }

        let migrated = try SQLiteStore(path: temporary.path)
        let triggers = try migrated.pool.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search%'")
        }
        #expect(triggers.count == 6)
        #expect(triggers.allSatisfy { $0.contains("search_pending") && !$0.contains("search_index") })
        #expect(try world.search("review") == [task.entity.id], "what the old triggers indexed is kept")
        try world.retitle(task.entity.id, 1, "forecast")
        #expect(try world.search("budget").isEmpty)
        #expect(try world.search("forecast") == [task.entity.id])
        #expect(try world.indexed().pending == 0)
    }
}
