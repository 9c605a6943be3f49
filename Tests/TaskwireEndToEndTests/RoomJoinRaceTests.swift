import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// Sessions that join a room at the same moment: each must end up knowing every other one, either from its join
/// reply or from a `presence.joined` that follows it — none may fall between the two.
@Suite struct RoomJoinRaceTests {
    @Test(arguments: [false, true])
    func simultaneousJoinersAllLearnOfEachOther(redis useRedis: Bool) throws {
        let names = (0..<8).map { "user\($0)" }
        let world = try TestWorld(userNames: names)
        let redis = useRedis ? try RedisServer() : nil
        defer { redis?.stop() }
        let relay = redis.map { ["--redis", $0.url] } ?? []
        let hosts = try world.users.map { user in
            let host = try TaskwireConnection.serve(
                binary: world.binary,
                arguments: ["--db", world.database.path] + relay
            )
            try host.initialize(token: user.token)
            return host
        }
        defer { for host in hosts { host.close() } }
        let project = JSON.string(world.projectID)

        // Every join is written before any reply is read.
        let requests = hosts.map { $0.send("project.join", ["projectId": project]) }
        var known: [Set<String>] = []
        for (host, request) in zip(hosts, requests) {
            let reply = try host.reply(to: request)
            let presence = reply["presence"]?.arrayValue ?? []
            known.append(Set(presence.compactMap { $0["sessionId"]?.stringValue }))
        }
        // The session ids, from the join replies: each host appears in its own reply.
        let all = known.reduce(Set<String>()) { $0.union($1) }
        #expect(all.count == hosts.count, "the join replies name \(all.count) sessions")

        for (index, host) in hosts.enumerated() {
            var seen = known[index]
            let deadline = Date().addingTimeInterval(10)
            while seen != all, Date() < deadline {
                guard let message = host.nextNotification(timeout: .seconds(0.5)) else { continue }
                if message.method == "presence.joined", let session = message.params["sessionId"]?.stringValue {
                    #expect(!seen.contains(session), "presence.joined for a session already known: \(session)")
                    seen.insert(session)
                }
            }
            #expect(seen == all, "host \(index) never learned of \(all.subtracting(seen))")
        }
    }
}
