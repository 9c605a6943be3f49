import Foundation
import TaskwireProtocol
import TaskwireStore
import TaskwireSync
import Testing

@testable import TaskwirePostgres

/// Several hosts writing at once through their own stores and connections.
@Suite struct PostgresConcurrencyTests {
    /// A project and four stores on its database, as four hosts would have.
    private struct Hosts {
        let url: String
        let stores: [PostgresStore]
        let alice: ActingSession
        let projectID: String

        init(count: Int) throws {
            let url = try TestCluster.createDatabase()
            self.url = url
            let first = try PostgresStore(url: url, logger: quietLogger)
            alice = ActingSession(user: try first.addUser(name: "alice", email: nil).user, sessionID: "ses_alice")
            _ = try first.addOrganization(name: "Acme", owner: "alice")
            projectID = try first.addProject(organization: "Acme", name: "Web").id
            var stores = [first]
            for _ in 1..<count { stores.append(try PostgresStore(url: url, logger: quietLogger)) }
            self.stores = stores
        }
    }

    @Test func concurrentWritersNeverLeaveAGapOrADuplicateSeq() throws {
        let hosts = try Hosts(count: 4)
        let perThread = 200
        let failures = Locked<[String]>([])
        onThreads(4) { index in
            let store = hosts.stores[index]
            for number in 0..<perThread {
                var attempts = 0
                while true {
                    do {
                        let new = NewTask(projectID: hosts.projectID, title: "t\(index)-\(number)")
                        _ = try store.createTask(actor: hosts.alice, new)
                        break
                    } catch let error as StoreError where error.kind == .busy && attempts < 20 {
                        attempts += 1
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                        break
                    }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let events = try hosts.stores[0].events(projectID: hosts.projectID, after: 0, limit: 10_000)
        #expect(events.map(\.seq) == Array(1...Int64(4 * perThread)))
        let titles = try events.map { try JSONParser.parse($0.payload)["data"]?["task"]?["title"]?.stringValue ?? "" }
        #expect(Set(titles).count == 4 * perThread, "every task exactly once")
        let payloadSeqs = try events.map { try JSONParser.parse($0.payload)["seq"]?.int64Value ?? 0 }
        #expect(payloadSeqs == events.map(\.seq))
    }

    @Test func concurrentUpdatesOfOneVersionLetExactlyOneWin() throws {
        let hosts = try Hosts(count: 4)
        let task = try hosts.stores[0].createTask(actor: hosts.alice, NewTask(projectID: hosts.projectID, title: "T"))
            .entity
        let rounds = 25
        let wins = Locked<[Int64: Int]>([:])
        let others = Locked<[String]>([])
        onThreads(4) { index in
            let store = hosts.stores[index]
            var expected: Int64 = 1
            while expected <= Int64(rounds) {
                var patch = TaskPatch()
                patch.title = "by \(index) at \(expected)"
                do {
                    let updated = try store.updateTask(
                        actor: hosts.alice,
                        id: task.id,
                        expectedVersion: expected,
                        patch: patch
                    )
                    wins.withLock { $0[expected, default: 0] += 1 }
                    expected = updated.entity.version
                } catch let error as StoreError where error.kind == .conflict {
                    expected = error.currentVersion ?? expected
                } catch let error as StoreError where error.kind == .busy {
                    continue
                } catch {
                    others.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        #expect(others.withLock { $0 }.isEmpty)
        let final = try hosts.stores[0].task(user: hosts.alice.user, id: task.id)
        let counted = wins.withLock { $0 }
        #expect(counted.values.allSatisfy { $0 == 1 }, "never two winners for one version: \(counted)")
        #expect(Int64(counted.count) + 1 == final.version, "no lost update")
        let events = try hosts.stores[0].events(projectID: hosts.projectID, after: 0, limit: 1000)
        #expect(events.map(\.seq) == Array(1...final.version))
    }

    @Test func presenceIdsFollowCommitOrderAcrossHosts() throws {
        let hosts = try Hosts(count: 4)
        let perThread = 30
        let recorded = Locked<[Int64]>([])
        onThreads(4) { index in
            let store = hosts.stores[index]
            let actor = ActingSession(user: hosts.alice.user, sessionID: "ses_\(index)")
            for _ in 0..<perThread {
                guard let join = try? store.join(actor: actor, projectID: hosts.projectID, since: nil) else { continue }
                let leave = try? store.leave(sessionID: actor.sessionID, projectID: hosts.projectID, reason: .left)
                recorded.withLock { $0 += [join.change.id] + (leave.flatMap { $0 }.map { [$0.id] } ?? []) }
            }
        }
        let changes = try hosts.stores[0].presenceChanges(after: 0, limit: 10_000)
        #expect(changes.count == 4 * perThread * 2)
        #expect(changes.map(\.id) == Array(1...Int64(changes.count)), "one counter, no gap, no duplicate")
        #expect(Set(recorded.withLock { $0 }) == Set(changes.map(\.id)))
    }
}
