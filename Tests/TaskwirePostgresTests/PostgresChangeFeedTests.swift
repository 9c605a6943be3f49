import Foundation
import TaskwireProtocol
import TaskwireStore
import TaskwireSync
import Testing

@testable import TaskwirePostgres

/// Two stores on a fresh database (a writer and a reader, as two hosts), alice's organization with two projects, and
/// the reader's feed watching the first.
private struct FeedWorld {
    let writer: PostgresStore
    let reader: PostgresStore
    let alice: ActingSession
    let projectID: String
    let otherProjectID: String
    let feed: PostgresChangeFeed

    init() throws {
        let url = try TestCluster.createDatabase()
        writer = try PostgresStore(url: url, logger: quietLogger)
        reader = try PostgresStore(url: url, logger: quietLogger)
        alice = ActingSession(user: try writer.addUser(name: "alice", email: nil).user, sessionID: "ses_alice")
        _ = try writer.addOrganization(name: "Acme", owner: "alice")
        projectID = try writer.addProject(organization: "Acme", name: "Web").id
        otherProjectID = try writer.addProject(organization: "Acme", name: "Elsewhere").id
        feed = reader.makePostgresChangeFeed()
        feed.watch(projectID)
    }
}

/// The LISTEN/NOTIFY change feed: it hears the committing transactions of any store on the database that change a
/// project it watches (a room its host is in), and not those of other projects.
@Suite struct PostgresChangeFeedTests {
    @Test func aFeedHearsCommitsOfOtherStoresAndNothingElse() throws {
        let world = try FeedWorld()
        let (writer, reader, alice, feed) = (world.writer, world.reader, world.alice, world.feed)
        let (projectID, otherProjectID) = (world.projectID, world.otherProjectID)
        let first = feed.version()
        #expect(first != nil)
        #expect(feed.version() == first, "nothing committed since")
        #expect(!feed.wait(timeoutMilliseconds: 50))

        // A project nobody here watches is not heard of.
        _ = try writer.createTask(actor: alice, NewTask(projectID: otherProjectID, title: "elsewhere"))
        #expect(!feed.wait(timeoutMilliseconds: 300))
        #expect(feed.version() == first)

        _ = try writer.createTask(actor: alice, NewTask(projectID: projectID, title: "T"))
        #expect(feed.wait(timeoutMilliseconds: 5000))
        let second = feed.version()
        #expect(second != first)

        // A rolled-back change tells nobody; nor does a heartbeat.
        expectError(.invalid) { _ = try writer.createTask(actor: alice, NewTask(projectID: projectID, title: " ")) }
        try writer.registerSession(id: "ses_alice", userID: alice.user.id, pid: 1)
        #expect(try writer.heartbeat(sessionID: "ses_alice"))
        #expect(!feed.wait(timeoutMilliseconds: 200))
        #expect(feed.version() == second)

        // The feed of the protocol is the same kind of feed.
        let generic = try #require(writer.makeChangeFeed())
        generic.watch(projectID)
        let genericFirst = generic.version()
        _ = try reader.join(actor: alice, projectID: projectID, since: nil)
        let deadline = ContinuousClock.now + .seconds(5)
        while generic.version() == genericFirst, ContinuousClock.now < deadline { usleep(5_000) }
        #expect(generic.version() != genericFirst)
    }

    /// The socket a delivery thread sleeps on: readable once a watched project's commit is announced, quiet again
    /// once ``PostgresChangeFeed/version()`` has read the announcement, and quiet for a project nobody watches.
    @Test func theFeedsSocketIsReadableWhenACommitIsAnnouncedUntilItIsRead() throws {
        let world = try FeedWorld()
        let (writer, alice, feed) = (world.writer, world.alice, world.feed)
        let (projectID, otherProjectID) = (world.projectID, world.otherProjectID)
        let first = feed.version()
        let socket = try #require(feed.announcementSocket)
        let wakeup = try #require(PollWakeup())
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100), "nothing announced yet")

        _ = try writer.createTask(actor: alice, NewTask(projectID: otherProjectID, title: "elsewhere"))
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 300), "not a watched project")

        _ = try writer.createTask(actor: alice, NewTask(projectID: projectID, title: "T"))
        #expect(wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 5000))
        #expect(feed.version() != first)
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100), "read by version()")

        // A signal wakes the sleeper without the socket.
        wakeup.signal()
        let start = ContinuousClock.now
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 10_000))
        #expect(ContinuousClock.now - start < .seconds(5), "woken by the signal, not the timeout")
    }

    @Test func waitReturnsWhenACommitArrivesFromAnotherThread() throws {
        let url = try TestCluster.createDatabase()
        let store = try PostgresStore(url: url, logger: quietLogger)
        let feed = store.makePostgresChangeFeed()
        _ = feed.version()
        let start = ContinuousClock.now
        let thread = Thread {
            usleep(200_000)
            _ = try? store.addUser(name: "late", email: nil)
        }
        thread.start()
        #expect(feed.wait(timeoutMilliseconds: 5000))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(150))
        #expect(elapsed < .seconds(3))
    }
}
