import Foundation
import TaskwireProtocol
import TaskwireStore
import TaskwireSync
import TaskwireTranscripts
import Testing

@testable import TaskwirePostgres

/// A server that goes away: calls are busy meanwhile, then work again with the same store.
///
/// Never a generic failure.
@Suite struct PostgresOutageTests {
    /// Calls `body` until it succeeds, expecting only busy before, for at most `seconds`; returns the attempts.
    @discardableResult
    private func untilItWorks(seconds: Double = 15, _ body: () throws -> Void) -> Int {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var attempts = 0
        while ContinuousClock.now < deadline {
            attempts += 1
            do {
                try body()
                return attempts
            } catch let error as StoreError where error.kind == .busy {
                usleep(50_000)
            } catch {
                Issue.record("expected busy, got \(error)")
                return attempts
            }
        }
        Issue.record("still failing after \(seconds) s")
        return attempts
    }

    @Test func aServerRestartedMidwayMakesCallsBusyThenTheyWorkAgain() throws {
        let server = try PostgresServer()
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: server.directory)
        }
        let url = try server.createDatabase()
        let store = try PostgresStore(url: url, connectTimeoutSeconds: 2, logger: quietLogger)
        let alice = ActingSession(user: try store.addUser(name: "alice", email: nil).user, sessionID: "ses_alice")
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        let projectID = try store.addProject(organization: "Acme", name: "Web").id
        let feed = store.makePostgresChangeFeed()
        feed.watch(projectID)
        let before = feed.version()
        #expect(before != nil)
        _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "before"))

        server.kill()
        for _ in 0..<3 {
            let start = ContinuousClock.now
            expectError(.busy) { _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "lost")) }
            expectError(.busy) { _ = try store.listProjects(user: alice.user) }
            expectError(.busy) { _ = try store.events(projectID: projectID, after: 0, limit: 10) }
            #expect(ContinuousClock.now - start < .seconds(3), "busy at once, not after a long wait")
        }
        #expect(feed.version() == nil, "the feed cannot be read while the server is down")

        try server.restart()
        untilItWorks { _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "after")) }
        let titles = try store.events(projectID: projectID, after: 0, limit: 10).map {
            try JSONParser.parse($0.payload)["data"]?["task"]?["title"]?.stringValue
        }
        #expect(titles == ["before", "after"], "nothing of the busy calls was written")
        var version: Int64?
        untilItWorks {
            version = feed.version()
            if version == nil { throw StoreError.busy }
        }
        #expect(version != before, "a reconnected feed counts one, so that its reader reads the log again")
    }

    @Test func terminatedConnectionsAreReopenedWithoutAGenericFailure() throws {
        let url = try TestCluster.createDatabase()
        let store = try PostgresStore(url: url, logger: quietLogger)
        let alice = ActingSession(user: try store.addUser(name: "alice", email: nil).user, sessionID: "ses_alice")
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        let projectID = try store.addProject(organization: "Acme", name: "Web").id
        let admin = try AdminConnection(url: url)
        let feed = store.makePostgresChangeFeed()
        feed.watch(projectID)
        var created = 0
        for round in 0..<5 {
            try admin.terminateOthers()
            let attempts = untilItWorks {
                _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "r\(round)"))
            }
            #expect(attempts <= 2, "retried on a new connection, or busy once")
            created += 1
            untilItWorks {
                _ = try store.listTasks(
                    user: alice.user,
                    projectID: projectID,
                    filter: TaskFilter(),
                    limit: 10,
                    cursor: nil
                )
            }
        }
        let events = try store.events(projectID: projectID, after: 0, limit: 100)
        #expect(events.map(\.seq) == Array(1...Int64(created)), "each create exactly once")
        // The feed came back too, and hears commits again.
        var reconnected: Int64?
        untilItWorks {
            reconnected = feed.version()
            if reconnected == nil { throw StoreError.busy }
        }
        _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "heard"))
        #expect(feed.wait(timeoutMilliseconds: 5000))
    }

    @Test func interruptStopsAStatementWaitingForALock() throws {
        let url = try TestCluster.createDatabase()
        let store = try PostgresStore(url: url, logger: quietLogger)
        let alice = ActingSession(user: try store.addUser(name: "alice", email: nil).user, sessionID: "ses_alice")
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        let projectID = try store.addProject(organization: "Acme", name: "Web").id
        // Another session holds the project's row, as a transaction of another host would.
        let holder = try AdminConnection(url: url)
        try holder.query("BEGIN")
        try holder.query("SELECT 1 FROM projects WHERE id = $1 FOR UPDATE", [projectID])
        let outcome = Locked<StoreError.Kind?>(nil)
        let start = ContinuousClock.now
        let writer = Thread {
            do {
                _ = try store.createTask(actor: alice, NewTask(projectID: projectID, title: "held"))
            } catch let error as StoreError {
                outcome.withLock { $0 = error.kind }
            } catch {
                outcome.withLock { $0 = .failure }
            }
        }
        writer.start()
        usleep(300_000)
        store.interrupt()
        while outcome.withLock({ $0 }) == nil, ContinuousClock.now - start < .seconds(5) { usleep(10_000) }
        #expect(outcome.withLock { $0 } == .busy)
        #expect(ContinuousClock.now - start < .seconds(1.5), "before lock_timeout would have ended the wait")
        try holder.query("ROLLBACK")
        #expect(try store.events(projectID: projectID, after: 0, limit: 10).isEmpty)
    }
}
