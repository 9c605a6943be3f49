import TaskwireClient
import TaskwireProtocol
import TaskwireSync
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// PostgreSQL restarted in the middle of a stream of writes, with two hosts in a room and no Redis: requests during
/// the outage are answered -32010 (busy, retry) and never -32603, the hosts reconnect by themselves, the room
/// resumes with no gap and no duplicate, and `relay.status` tells the clients that the relay (the database's
/// LISTEN/NOTIFY) was lost and is back.
@Suite struct RoomPostgresOutageTests {
    static let degraded: JSON = ["state": "degraded", "relay": "postgres"]
    static let connected: JSON = ["state": "connected", "relay": "postgres"]

    @Test(.timed) func aRestartInTheMiddleOfAStreamLosesNothing() async throws {
        let server = try PostgresServer()
        let world = try RoomWorld(relay: .postgres, userNames: ["alice", "bob"], postgres: server)
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        try await alice.join(project)
        let bob = try await world.host(as: "bob")
        let start = bob.count
        try await bob.join(project)

        let progress = Locked((seqs: [Int64](), busy: 0))
        let total = 120
        let writing = Task {
            for index in 0..<total {
                while true {
                    do {
                        let params: JSONObject = ["projectId": .string(project), "title": .string("task \(index)")]
                        let result = try await alice.request("task.create", params)
                        progress.withLock { $0.seqs.append(result["seq"]?.int64Value ?? -1) }
                        break
                    } catch let error as RoomCallError where error.code == -32010 {
                        progress.withLock { $0.busy += 1 }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await RoomExpect.eventually("30 changes before the outage") { progress.withLock { $0.seqs.count } >= 30 }
        let beforeOutage = bob.count
        server.kill()
        try await bob.waitFor("relay.status degraded", after: beforeOutage, timeout: .seconds(10)) {
            $0.method == "relay.status" && $0.params == Self.degraded
        }
        try await Task.sleep(for: .seconds(1))
        try server.restart()
        try await bob.waitFor("relay.status connected", after: beforeOutage, timeout: .seconds(10)) {
            $0.method == "relay.status" && $0.params == Self.connected
        }
        try await writing.value

        let (seqs, busy) = progress.withLock { ($0.seqs, $0.busy) }
        #expect(busy > 0, "requests during the outage were answered busy")
        #expect(Set(seqs).count == seqs.count, "no seq was given twice")
        let log = try await alice.eventLog(projectID: project)
        let last = Int64(log.count)
        #expect(log.map { $0["seq"]?.int64Value ?? 0 } == Array(1...last), "the event log has no gap")
        for (name, client, from) in [("alice", alice, 0), ("bob", bob, start)] {
            try await RoomExpect.waitForSeq(client, last, projectID: project, after: from)
            try await Task.sleep(for: .milliseconds(200))
            RoomExpect.delivered(client.messages(from: from), projectID: project, last: last, log: log, reader: name)
            let errors = client.messages.filter { $0.json["error"]?["code"]?.int64Value == -32603 }
            #expect(errors.isEmpty, "\(name): internal errors during the outage: \(errors.map(\.json.text))")
        }
        await RoomExpect.orderlyExit(world)
        server.stopAndRemove()
    }
}
