import GRDB
import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// The search migrations ("v6-search", then "v7-search-pending") index what the database held before them.
@Suite struct SearchMigrationTests {
    @Test func existingTasksAndCommentsAreIndexed() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let alice = try store.addUser(name: "alice", email: nil).user
        let actor = ActingSession(user: alice, sessionID: "ses_alice")
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        let project = try store.addProject(organization: "Acme", name: "Web")
        var new = NewTask(projectID: project.id, title: "Quarterly budget")
        new.labels = ["finance"]
        let task = try store.createTask(actor: actor, new).entity
        _ = try store.createComment(actor: actor, taskID: task.id, body: "auditors")
        _ = try store.createTask(actor: actor, NewTask(projectID: project.id, title: "Other"))
        // Back to the schema before search, with the data of a database that never had it.
        try store.pool.write { db in
            for trigger in Schema.searchTriggers { try db.execute(sql: "DROP TRIGGER search_\(trigger.name)") }
            try db.execute(sql: "DROP TABLE search_pending; DROP TABLE search_index; DROP TABLE search_rows")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v6-search', 'v7-search-pending')")
        }

        let migrated = try SQLiteStore(path: temporary.path)
        let hits = try migrated.searchTasks(
            user: alice,
            query: try SearchQuery(parsing: "budget financ* auditors"),
            scope: SearchScope(),
            limit: 10,
            cursor: nil
        )
        #expect(hits.items.map(\.task.id) == [task.id])
        #expect(hits.items.first?.snippet == "Quarterly **budget**")
        #expect(try migrated.pool.read { db in try Schema.migrator.appliedIdentifiers(db) }.contains("v6-search"))
    }

    @Test func searchIsTheLastMigration() {
        #expect(Schema.migrator.migrations.suffix(2) == ["v6-search", "v7-search-pending"])
    }
}
