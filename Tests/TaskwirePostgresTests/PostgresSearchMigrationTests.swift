import TaskwireProtocol
import TaskwireStore
import Testing

@testable import TaskwirePostgres

/// The search schema (version 5) indexes what the database held before it.
@Suite struct PostgresSearchMigrationTests {
    @Test func existingTasksAndCommentsAreIndexed() throws {
        let url = try TestCluster.createDatabase()
        let world = try StoreWorld(holder: TestStore(store: try PostgresStore(url: url, logger: quietLogger)))
        let task = try world.createTask("Quarterly budget")
        _ = try world.store.createComment(actor: world.bob, taskID: task.id, body: "auditors")
        // Back to the schema before search, with the data of a database that never had it.
        let admin = try AdminConnection(url: url)
        let search = try #require(PostgresSchema.migrations.firstIndex(of: PostgresSchema.version5)) + 1
        try admin.query("DROP TABLE task_search")
        for function in ["refresh(text)", "task_changed()", "comment_changed()", "words(text)"] {
            try admin.query("DROP FUNCTION taskwire_search_\(function) CASCADE")
        }
        try admin.query("DELETE FROM schema_migrations WHERE version >= $1", [String(search)])

        let migrated = try PostgresStore(url: url, logger: quietLogger)
        let hits = try migrated.searchTasks(
            user: world.bob.user,
            query: try SearchQuery(parsing: "budget auditors"),
            scope: SearchScope(),
            limit: 10,
            cursor: nil
        )
        #expect(hits.items.map(\.task.id) == [task.id])
        #expect(try admin.value("SELECT max(version) FROM schema_migrations") == String(PostgresSchema.latestVersion))
    }
}
