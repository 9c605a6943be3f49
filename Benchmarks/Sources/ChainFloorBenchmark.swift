import TaskwireProtocol

/// The floor under the fan-out latency at 1 receiver over Redis: `Benchmarks/Floor/chain_floor.c` in the places of
/// the writing and the receiving host, driven by the same ``FanOutRun`` as the hosts, on the same database, Redis
/// and tasks, right before them.
///
/// Its writer runs the host's statements for one `task.update` in a transaction of its own, seals the event with
/// the database's relay key and publishes it, then answers; its reader verifies each message's code and writes the
/// event as a `task.updated` line. So its figure is the pipes, one SQLite transaction, the HMAC at both ends, Redis
/// and the wake-ups of every process in the chain on this machine at that moment, with nothing of the host around
/// them: what the host adds is the difference.
struct ChainFloorBenchmark {
    let world: BenchWorld
    let scale: Scale
    let results: Results
    /// The compiled `chain_floor` (`Scripts/bench.sh` builds it).
    let executable: String

    /// Measures the chain floor; returns its latency, or nil when the run was not clean.
    func run(pool: inout TaskPool) throws(BenchError) -> LatencySummary? {
        let count = scale.fanOutOneAtATime[1] ?? 1_000
        results.begin(
            "chain floor: chain_floor.c as writer and receiver over Redis, \(Format.grouped(count)) one at a time"
        )
        let port = String(world.redis.port)
        let channel = "bench-chain-floor"
        let reader = try BenchHost(
            binary: executable,
            arguments: ["reader", world.location, world.projectID, port, channel]
        )
        let writer = try BenchHost(
            binary: executable,
            arguments: ["writer", world.location, world.projectID, world.writer.id, "chain-floor", port, channel]
        )
        defer { finishAll([writer, reader]) }
        // Answered once its SUBSCRIBE is confirmed, with the project's seq: the first event of the run is the next.
        let ready = try reader.call("floor.ready")
        guard let baseSeq = ready["seq"]?.int64Value else {
            throw reader.failure("the chain floor's reader answered without a seq: \(ready.text)")
        }
        let cpu = OneAtATimeCPU(writer: writer, receiver: reader)
        let outcome = try FanOutRun(
            writer: writer,
            receivers: [reader],
            baseSeq: baseSeq,
            warmup: scale.fanOutWarmup,
            updates: count,
            window: 1
        ).run(pool: &pool, timeLimit: scale.oneAtATimeSeconds)
        guard outcome.isClean, outcome.failed == 0 else {
            results.problem(
                "the chain floor lost \(outcome.lost), duplicated \(outcome.duplicates), answered \(outcome.failed) "
                    + "with an error\(outcome.stalled ? " and stalled" : "")"
            )
            return nil
        }
        guard let latency = LatencySummary(nanoseconds: outcome.latencies),
            let replies = LatencySummary(nanoseconds: outcome.replies)
        else { return nil }
        results.add(
            Figure(
                key: "chain_floor_redis_1",
                section: "Fan-out latency, one update at a time",
                label:
                    "the chain floor: chain_floor.c as both hosts, 1 receiver (\(FanOutBenchmarks.updates(outcome)))",
                value: FanOutBenchmarks.oneAtATimeValue(latency: latency, replies: replies),
                checks: "lost \(outcome.lost), dup \(outcome.duplicates)",
                details: [
                    "latency": latency.json, "writer_reply": replies.json, "parse_fallbacks": .int(outcome.fallbacks),
                    "time_limit_reached": .bool(outcome.truncated),
                ]
            )
        )
        if let figure = cpu.figure(
            key: "cpu_chain_floor_1",
            label: "the chain floor, one at a time, 1 receiver",
            updates: outcome.sent + outcome.warmup
        ) {
            results.add(figure)
        }
        return latency
    }
}

/// The CPU time (user and system, `/proc/PID/stat`) that a run one update at a time took of its writer and of its
/// one receiver, per update: set side by side for the hosts and the chain floor, it shows where the host's extra
/// latency is spent.
struct OneAtATimeCPU {
    private let writer: BenchHost
    private let receiver: BenchHost
    private let before: (writer: Double, receiver: Double)?

    init(writer: BenchHost, receiver: BenchHost) {
        self.writer = writer
        self.receiver = receiver
        if let writerSeconds = writer.cpuSeconds(), let receiverSeconds = receiver.cpuSeconds() {
            before = (writerSeconds, receiverSeconds)
        } else {
            before = nil
        }
    }

    /// The figure, once `updates` (warm-up included) were written and delivered; nil when a reading failed.
    func figure(key: String, label: String, updates: Int) -> Figure? {
        guard let before, updates > 0, let writerAfter = writer.cpuSeconds(), let receiverAfter = receiver.cpuSeconds()
        else { return nil }
        let perWriter = (writerAfter - before.writer) * 1e6 / Double(updates)
        let perReceiver = (receiverAfter - before.receiver) * 1e6 / Double(updates)
        return Figure(
            key: key,
            section: "CPU",
            label: label,
            value: String(format: "writer %.0f µs, receiver %.0f µs per update", perWriter, perReceiver),
            details: [
                "writer_cpu_us_per_update": .number(String(format: "%.1f", perWriter)),
                "receiver_cpu_us_per_update": .number(String(format: "%.1f", perReceiver)),
            ]
        )
    }
}
