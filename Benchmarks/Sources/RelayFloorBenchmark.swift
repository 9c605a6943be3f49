import Logging
import TaskwireRelay
import TaskwireSync

/// The relay's part of a delivery, without any host: one `RedisRelay` in this process publishes a payload the size
/// of a `task.updated` event, another one (its own connections, as a receiving host has) is subscribed to the
/// topic, and the time from `publish` to the subscriber's callback is taken, one message at a time.
///
/// That is the writing host's publisher thread waking up and writing, Redis, and the receiving host's subscriber
/// thread reading: the floor under every fan-out figure over Redis, whatever the hosts do around it.
struct RelayFloorBenchmark {
    let world: BenchWorld
    let scale: Scale
    let results: Results

    private final class Arrivals: @unchecked Sendable {
        // @unchecked Sendable: `stamps` and `subscribed` are touched only with `condition` held.
        let condition = ConditionLock()
        var stamps: [UInt64] = []
        var subscribed = false
    }

    func run() throws(BenchError) {
        let count = scale.fanOutOneAtATime[1] ?? 1_000
        results.begin("relay floor: Redis publish → subscriber callback, \(Format.grouped(count)) one at a time")
        let url: RedisURL
        do {
            url = try RedisURL(parsing: world.redis.url)
        } catch {
            throw BenchError("the benchmark's Redis URL does not parse: \(error)")
        }
        var logger = Logger(label: "bench-relay")
        logger.logLevel = .error
        let namespace = "bench-floor-\(MonotonicClock.now())"
        let publisher = RedisRelay(url: url, namespace: namespace, logger: logger)
        let subscriber = RedisRelay(url: url, namespace: namespace, logger: logger)
        defer {
            publisher.stop()
            subscriber.stop()
        }
        let arrivals = Arrivals()
        publisher.start(onMessage: { _ in }, onStateChange: { _ in })
        subscriber.start(
            onMessage: { _ in
                let now = MonotonicClock.now()
                arrivals.condition.withLock {
                    arrivals.stamps.append(now)
                    arrivals.condition.broadcast()
                }
            },
            onStateChange: { _ in },
            onSubscribed: { _ in
                arrivals.condition.withLock {
                    arrivals.subscribed = true
                    arrivals.condition.broadcast()
                }
            }
        )
        subscriber.subscribe("floor")
        // About the size of a sealed `task.updated` of the fan-out runs.
        let payload = [UInt8](repeating: 0x61, count: 700)
        let warmup = scale.fanOutWarmup
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        let ready = arrivals.condition.withLock {
            let deadline = MonotonicClock.deadline(afterSeconds: 5)
            while !arrivals.subscribed, arrivals.condition.wait(untilNanoseconds: deadline) {}
            return arrivals.subscribed
        }
        guard ready else { throw BenchError("the relay floor's subscription did not take effect within 5 s") }
        for index in 0..<(warmup + count) {
            let sent = MonotonicClock.now()
            publisher.publish(payload, topic: "floor")
            let arrival: UInt64? = arrivals.condition.withLock {
                let deadline = MonotonicClock.deadline(afterSeconds: 2)
                while arrivals.stamps.count <= index, arrivals.condition.wait(untilNanoseconds: deadline) {}
                return arrivals.stamps.count > index ? arrivals.stamps[index] : nil
            }
            guard let arrival else { throw BenchError("the relay floor lost message \(index)") }
            if index >= warmup { samples.append(arrival &- sent) }
        }
        guard let summary = LatencySummary(nanoseconds: samples) else { return }
        results.add(
            Figure(
                key: "relay_floor_redis",
                section: "Fan-out latency, one update at a time",
                label: "the relay alone: publish → another relay's subscriber thread (\(Format.grouped(count)))",
                value: "p50 \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                details: ["latency": summary.json, "payload_bytes": .int(payload.count)]
            )
        )
    }
}
