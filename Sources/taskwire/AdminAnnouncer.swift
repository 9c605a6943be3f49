import Foundation
import Logging
import TaskwireProtocol
import TaskwireRelay
import TaskwireStore
import TaskwireSync

/// Tells the hosts of a database, through its Redis relay, what an admin command just changed (sessions revoked
/// from rooms, `project.updated`, `project.deleted`), so that they act on it within the relay's delivery time
/// instead of at their next look at the database (every 0.5 s when they have Redis). Without Redis there is
/// nothing to do: hosts then look at the database every 5 ms.
///
/// Messages are sealed with the database's relay key, like a host's; they only tell hosts to read the database,
/// which stays the source of truth.
struct AdminAnnouncer {
    let store: any TaskwireStorage & AdminStorage
    let redisURL: String?
    let marks: (presence: Int64, seqs: [String: Int64])

    init(store: any TaskwireStorage & AdminStorage, redis: String?, projects: [String]) throws {
        self.store = store
        redisURL = redis ?? ProcessInfo.processInfo.environment["TASKWIRE_REDIS_URL"]
        marks = try store.logMarks(projects: projects)
    }

    /// Publishes what was added to the logs since ``init``; gives up quietly (hosts still read the database) when
    /// Redis cannot be reached within a second.
    func announce() {
        guard let text = redisURL, !text.isEmpty, let url = try? RedisURL(parsing: text) else { return }
        var logger = Logger(label: "taskwire")
        logger.logLevel = .critical
        var messages: [(topic: String, bytes: [UInt8])] = []
        let codec = RelayCodec(key: store.relayKey, namespace: store.databaseID)
        for change in (try? store.presenceChanges(after: marks.presence)) ?? [] {
            messages.append((change.projectID, codec.seal(presence: change.json)))
        }
        for (project, seq) in marks.seqs {
            for event in (try? store.events(projectID: project, after: seq, limit: 100)) ?? [] {
                messages.append((project, codec.seal(event)))
            }
        }
        guard !messages.isEmpty else { return }
        let relay = RedisRelay(url: url, namespace: store.databaseID, logger: logger)
        let connected = ConditionLock()
        let isConnected = Locked(false)
        relay.start(
            onMessage: { _ in },
            onStateChange: { state in
                connected.withLock {
                    isConnected.withLock { $0 = state == .connected }
                    connected.broadcast()
                }
            },
            onSubscribed: { _ in }
        )
        // start() reports the state its first attempts reached; later changes come through the callback.
        if relay.state == .connected { isConnected.withLock { $0 = true } }
        let deadline = MonotonicClock.deadline(afterMilliseconds: 1000)
        let up: Bool = connected.withLock {
            while !isConnected.withLock({ $0 }) {
                guard connected.wait(untilNanoseconds: deadline) || MonotonicClock.now() < deadline else { break }
            }
            return isConnected.withLock { $0 }
        }
        if up {
            for message in messages { relay.publish(message.bytes, topic: message.topic) }
            relay.flush(timeoutMilliseconds: 1000)
        }
        relay.stop()
    }
}
