import Foundation
import TaskwireProtocol
import TaskwireSync

/// Start-up, single requests and pipelined requests to one host, and concurrent writers.
struct RequestBenchmarks {
    let world: BenchWorld
    let scale: Scale
    let results: Results
    /// The compiled `Benchmarks/Floor/update_floor.c`: the pipelined `task.update` on SQLite is also given as a
    /// fraction of what the same statements do through SQLite's C API in the same run.
    var updateFloor: String?

    func run() throws(BenchError) {
        // On PostgreSQL only what depends on the store is measured: the updates, against pgbench's floor.
        let sqlite = world.store == .sqlite
        if sqlite { for relay in Relay.allCases { try spawnToInitialize(relay) } }
        // pgbench first, on the same server before any host runs: the floor of one connection's updates.
        let pgbench = sqlite ? nil : try PgbenchBenchmark(world: world, scale: scale, results: results).run()
        let host = try world.hosts(1, relay: .redis, as: world.writer)[0]
        defer { finishAll([host]) }
        if sqlite { try pingOneAtATime(host) }
        var pool = TaskPool(ids: try world.createTasks(64, through: host, prefix: "request"))
        if sqlite {
            try pipelined(
                host,
                key: "ping_pipelined",
                label: "ping, \(Format.grouped(scale.pingPipelined)) pipelined",
                target: 300_000,
                requests: (0..<scale.pingPipelined).map { Requests.ping(id: $0) }
            )
            try pipelined(
                host,
                key: "task_get_pipelined",
                label: "task.get, \(Format.grouped(scale.getPipelined)) pipelined",
                target: nil,
                requests: (0..<scale.getPipelined).map {
                    Requests.getTask(id: $0, taskID: pool.ids[$0 % pool.ids.count])
                }
            )
        }
        var floor = pgbench.map { Floor(rate: $0, name: "pgbench -N", key: "pgbench") }
        if sqlite, let updateFloor {
            // Tasks of its own, made the same way: the pool's versions stay those the host will find.
            let tasks = try world.createTasks(64, through: host, prefix: "floor")
            floor = try sqliteFloor(updateFloor, tasks: tasks).map {
                Floor(rate: $0, name: "update_floor.c", key: "update_floor")
            }
        }
        try pipelined(
            host,
            key: world.store.keyPrefix + "task_update_pipelined",
            label: world.store.labelPrefix + "task.update, \(Format.grouped(scale.updatePipelined)) pipelined",
            target: sqlite ? 30_000 : nil,
            requests: pool.updateRequests(scale.updatePipelined),
            floor: floor
        )
        try concurrentWriters()
    }

    /// Process start → `initialize` response read, `initialize` written right after the spawn.
    private func spawnToInitialize(_ relay: Relay) throws(BenchError) {
        results.begin("spawn → initialize (\(relay.rawValue) relay), \(scale.spawns) spawns")
        var samples: [UInt64] = []
        // One unmeasured spawn first, so that the executable's pages are in the cache as they are for an editor.
        for attempt in 0...scale.spawns {
            let start = MonotonicClock.now()
            let host = try world.spawn(relay)
            // Installed before anything is written: the host writes nothing before it is asked.
            let timer = RequestTimer(host: host, seconds: 30)
            defer { timer.finish() }
            let response = try timer.roundTrip(
                id: 0,
                request: Requests.initialize(id: 0, token: world.writer.token),
                what: "initialize"
            ).response
            if let errorLine = response.errorLine { throw host.failure("initialize failed: \(errorLine)") }
            if attempt > 0 { samples.append(response.arrival - start) }
            // Not measured, but waited for: a host shutting down must not compete with the next one starting.
            finishAll([host])
        }
        let summary = LatencySummary(nanoseconds: samples)!
        results.add(
            Figure(
                key: "spawn_initialize_\(relay.rawValue)",
                section: "Start-up",
                label: "spawn → initialize response (\(relay.rawValue) relay, \(samples.count) spawns)",
                value: "median \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                target: relay == .redis ? "median ≤ 20 ms" : nil,
                met: relay == .redis ? summary.p50 <= 20_000_000 : nil,
                details: ["latency": summary.json]
            )
        )
    }

    /// What a pipelined `task.update` is set against: pgbench's simple update on PostgreSQL, the same statements
    /// through SQLite's C API on SQLite.
    struct Floor {
        var rate: Double
        var name: String
        /// Prefix of its keys in the figure's details (`pgbench_tps`, `pgbench_ratio`).
        var key: String
    }

    /// `update_floor.c` updating `tasks` round robin, as many times as the host will be asked to, in groups of 64
    /// per transaction (as group commit does), on the run's database while no host writes: updates per second.
    private func sqliteFloor(_ executable: String, tasks: [String]) throws(BenchError) -> Double? {
        results.begin("task.update through SQLite's C API (update_floor.c), \(Format.grouped(scale.updatePipelined))")
        let (status, printed) = try runTool(
            executable,
            [
                world.location, tasks.joined(separator: ","), world.projectID, world.writer.id, "update-floor",
                String(scale.updatePipelined), "64",
            ],
            reading: .output
        )
        // "N updates in T s: R/s"
        guard status == 0, let rateText = printed.split(separator: ":").last,
            let rate = Double(rateText.trimmingCharacters(in: .whitespacesAndNewlines).dropLast(2))
        else {
            results.problem("update_floor.c failed (status \(status)): \(printed)")
            return nil
        }
        return rate
    }

    /// `ping` written, its response read, then the next: the round trip through the host and two pipes.
    ///
    /// Taken in turns with its floor: `/bin/cat` echoing, through the same driver and pipes, a line of the bytes
    /// the host answers a `ping` with. That is the round trip with nothing in the middle but a process that reads
    /// and writes, in the same seconds as the host's (this machine's speed moves both).
    private func pingOneAtATime(_ host: BenchHost) throws(BenchError) {
        results.begin(
            "ping one at a time, \(Format.grouped(scale.pingOneAtATime)), in turns with cat echoing its reply"
        )
        let total = scale.pingWarmup + scale.pingOneAtATime
        let requests = (0..<total).map { Requests.ping(id: $0) }
        let echoed = (0..<total).map { Requests.pingReply(id: $0) }
        let cat = try BenchHost(binary: "/bin/cat", arguments: [])
        defer { finishAll([cat]) }
        var samples: [UInt64] = []
        var floorSamples: [UInt64] = []
        samples.reserveCapacity(scale.pingOneAtATime)
        floorSamples.reserveCapacity(scale.pingOneAtATime)
        let timer = RequestTimer(host: host, seconds: 120)
        let floorTimer = RequestTimer(host: cat, seconds: 120)
        defer {
            timer.finish()
            floorTimer.finish()
        }
        for id in 0..<total {
            let (sent, response) = try timer.roundTrip(id: id, request: requests[id], what: "ping")
            let (floorSent, echo) = try floorTimer.roundTrip(id: id, request: echoed[id], what: "cat's echo")
            if id >= scale.pingWarmup {
                samples.append(response.arrival - sent)
                floorSamples.append(echo.arrival - floorSent)
            }
        }
        let summary = LatencySummary(nanoseconds: samples)!
        let floor = LatencySummary(nanoseconds: floorSamples)!
        let hostShare = Double(summary.p50) / 1000 - Double(floor.p50) / 1000
        results.add(
            Figure(
                key: "ping_one_at_a_time",
                section: "Requests",
                label: "ping one at a time (\(Format.grouped(samples.count)))",
                value: "p50 \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                target: "p50 ≤ 60 µs",
                met: summary.p50 <= 60_000,
                details: ["latency": summary.json, "fallbacks": .int(timer.fallbacks)]
            )
        )
        results.add(
            Figure(
                key: "ping_floor_cat",
                section: "Requests",
                label: "the pipe floor: cat echoing a ping's reply, in turns (\(Format.grouped(samples.count)))",
                value: "p50 \(Format.duration(floor.p50)), p99 \(Format.duration(floor.p99))",
                details: [
                    "latency": floor.json,
                    "host_over_floor_p50_us": .number(String(format: "%.1f", hostShare)),
                ]
            )
        )
    }

    /// All requests handed to the host's stdin back to back, 64 per write (the process's writer thread takes over
    /// when the pipe is full), while its reading thread tallies the responses: requests per second from the first
    /// write to the last response. With `floor` (pgbench's simple-update transactions per second on the same
    /// server, or the same statements through SQLite's C API), the rate is also given as a fraction of it.
    private func pipelined(
        _ host: BenchHost,
        key: String,
        label: String,
        target: Double?,
        requests: [[UInt8]],
        floor: Floor? = nil
    ) throws(BenchError) {
        results.begin(label)
        let chunks = Requests.chunks(requests)
        let tallies = PhaseState([ResponseTally(count: requests.count)])
        observeResponses(of: [host], into: tallies)
        defer { host.observe(nil) }
        let start = MonotonicClock.now()
        for chunk in chunks { host.send(chunk) }
        let end = try tallies.wait(
            for: "every response of \(label)",
            hosts: [host],
            deadline: MonotonicClock.deadline(afterSeconds: 120)
        ) { $0[0].completedAt }
        let elapsed = MonotonicClock.seconds(from: start, to: end)
        if let failure = host.process.writeError { throw host.failure("writing to the host failed: \(failure)") }
        let tally = tallies.withLock { $0[0] }
        let rate = Double(requests.count) / elapsed
        if tally.errors > 0 { results.problem("\(label): \(tally.errors) error responses") }
        var details: JSONObject = [
            "requests": .int(requests.count), "elapsed_s": .number(Format.decimal(elapsed, places: 4)),
            "per_second": .int(Int(rate)), "errors": .int(tally.errors), "duplicates": .int(tally.duplicates),
        ]
        var value = Format.rate(rate)
        if let floor, floor.rate > 0 {
            value += ", \(Format.ratio(rate / floor.rate)) \(floor.name) (\(Format.rate(floor.rate)))"
            details["\(floor.key)_tps"] = .int(Int(floor.rate))
            details["\(floor.key)_ratio"] = .number(Format.decimal(rate / floor.rate, places: 3))
        }
        results.add(
            Figure(
                key: key,
                section: "Requests",
                label: label,
                value: value,
                target: target.map { "≥ \(Format.rate($0))" },
                met: target.map { rate >= $0 },
                checks: tally.checks,
                details: details
            )
        )
    }

    /// Hosts updating tasks of the same project at once, each pipelining its share (its own tasks, so that they
    /// never conflict): updates per second over all of them, first write to last response.
    private func concurrentWriters() throws(BenchError) {
        let count = scale.concurrentHosts
        let label =
            world.store.labelPrefix
            + "task.update, \(count) hosts × \(Format.grouped(scale.concurrentPerHost)) pipelined at once"
        results.begin(label)
        let hosts = try world.hosts(count, relay: .redis, as: world.writer)
        defer { finishAll(hosts) }
        var requestsPerHost: [[[UInt8]]] = []
        for host in hosts {
            var pool = TaskPool(ids: try world.createTasks(16, through: host, prefix: "concurrent"))
            requestsPerHost.append(Requests.chunks(pool.updateRequests(scale.concurrentPerHost)))
        }
        let tallies = PhaseState(hosts.map { _ in ResponseTally(count: scale.concurrentPerHost) })
        observeResponses(of: hosts, into: tallies)
        defer { for host in hosts { host.observe(nil) } }
        let start = MonotonicClock.now()
        // Round robin over the hosts, so that they all start at once: a send never blocks.
        for index in 0..<(requestsPerHost.map(\.count).max() ?? 0) {
            for (host, chunks) in zip(hosts, requestsPerHost) where index < chunks.count { host.send(chunks[index]) }
        }
        let end = try tallies.wait(
            for: "every response of \(label)",
            hosts: hosts,
            deadline: MonotonicClock.deadline(afterSeconds: 120)
        ) { tallies in
            tallies.allSatisfy { $0.completedAt != nil } ? tallies.compactMap(\.completedAt).max() : nil
        }
        let elapsed = MonotonicClock.seconds(from: start, to: end)
        for host in hosts {
            if let failure = host.process.writeError { throw host.failure("writing to the host failed: \(failure)") }
        }
        let total = count * scale.concurrentPerHost
        let errors = tallies.withLock { $0.reduce(0) { $0 + $1.errors } }
        let rate = Double(total) / elapsed
        if errors > 0 { results.problem("\(label): \(errors) error responses (busy or conflict)") }
        results.add(
            Figure(
                key: world.store.keyPrefix + "task_update_concurrent",
                section: "Requests",
                label: label,
                value: Format.rate(rate),
                checks: "errors \(errors)",
                details: [
                    "hosts": .int(count), "requests": .int(total),
                    "elapsed_s": .number(Format.decimal(elapsed, places: 4)), "per_second": .int(Int(rate)),
                    "errors": .int(errors),
                ]
            )
        )
    }

    /// Installs on each host an observer that records the responses to its pipelined requests in its tally (the
    /// one at the same index), stamped as they arrive, and wakes the driving thread when the tally is complete.
    private func observeResponses(of hosts: [BenchHost], into tallies: PhaseState<[ResponseTally]>) {
        let classifier = LineClassifier()
        for (index, host) in hosts.enumerated() {
            let count = tallies.withLock { $0[index].count }
            host.observe { line, arrival in
                guard case .response(let id, let isError) = classifier.classify(line), id >= 0, id < count else {
                    return false
                }
                tallies.update { $0[index].record(id: Int(id), isError: isError, arrival: arrival) }
                return true
            }
        }
    }
}

/// Counts the responses of a pipelined run by id: each must come exactly once.
struct ResponseTally {
    private var seen: [Bool]
    private(set) var received = 0
    private(set) var errors = 0
    private(set) var duplicates = 0
    /// When the last missing response arrived (``MonotonicClock``).
    private(set) var completedAt: UInt64?

    init(count: Int) {
        seen = Array(repeating: false, count: count)
    }

    var count: Int { seen.count }
    var checks: String { "errors \(errors), dup \(duplicates)" }

    /// Books the response to request `id` (in `0..<count`); true when it completed the tally.
    mutating func record(id: Int, isError: Bool, arrival: UInt64) -> Bool {
        if seen[id] {
            duplicates += 1
            return false
        }
        seen[id] = true
        received += 1
        if isError { errors += 1 }
        guard received == seen.count else { return false }
        completedAt = arrival
        return true
    }
}
