import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Start-up, single requests and pipelined requests to one host, and concurrent writers.
struct RequestBenchmarks {
    let world: BenchWorld
    let scale: Scale
    let results: Results

    func run() throws(BenchError) {
        for relay in Relay.allCases { try spawnToInitialize(relay) }
        let host = try world.hosts(1, relay: .redis, as: world.writer)[0]
        defer { finishAll([host]) }
        try pingOneAtATime(host)
        var pool = TaskPool(ids: try world.createTasks(64, through: host, prefix: "request"))
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
            requests: (0..<scale.getPipelined).map { Requests.getTask(id: $0, taskID: pool.ids[$0 % pool.ids.count]) }
        )
        try pipelined(
            host,
            key: "task_update_pipelined",
            label: "task.update, \(Format.grouped(scale.updatePipelined)) pipelined",
            target: 30_000,
            requests: pool.updateRequests(scale.updatePipelined)
        )
        try concurrentWriters()
    }

    /// Process start → `initialize` response read, `initialize` written right after the spawn.
    private func spawnToInitialize(_ relay: Relay) throws(BenchError) {
        results.begin("spawn → initialize (\(relay.rawValue) relay), \(scale.spawns) spawns")
        var samples: [UInt64] = []
        var classifier = LineClassifier()
        // One unmeasured spawn first, so that the executable's pages are in the cache as they are for an editor.
        for attempt in 0...scale.spawns {
            let start = Monotonic.now()
            let host = try world.spawn(relay)
            try host.send(Requests.initialize(id: 0, token: world.writer.token))
            var answered = false
            while let line = try host.output.readLine() {
                if case .response(0, let isError) = classifier.classify(line) {
                    guard !isError else {
                        throw BenchError("initialize failed: \(String(decoding: line, as: UTF8.self))")
                    }
                    answered = true
                    break
                }
            }
            let end = Monotonic.now()
            guard answered else { throw BenchError("a host exited before answering initialize; see \(host.logPath)") }
            if attempt > 0 { samples.append(end - start) }
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

    /// `ping` written, its response read, then the next: the round trip through the host and two pipes.
    private func pingOneAtATime(_ host: BenchHost) throws(BenchError) {
        results.begin("ping one at a time, \(Format.grouped(scale.pingOneAtATime))")
        let total = scale.pingWarmup + scale.pingOneAtATime
        let requests = (0..<total).map { Requests.ping(id: $0) }
        var samples: [UInt64] = []
        samples.reserveCapacity(scale.pingOneAtATime)
        var classifier = LineClassifier()
        let watchdog = Watchdog(pid: host.pid, seconds: 120)
        defer { watchdog.cancel() }
        for (id, request) in requests.enumerated() {
            let start = Monotonic.now()
            try host.send(request)
            while true {
                guard let line = try host.output.readLine() else {
                    throw BenchError("the host closed its stdout during ping; see \(host.logPath)")
                }
                if case .response(let responseID, _) = classifier.classify(line), responseID == id { break }
            }
            let end = Monotonic.now()
            if id >= scale.pingWarmup { samples.append(end - start) }
        }
        let summary = LatencySummary(nanoseconds: samples)!
        results.add(
            Figure(
                key: "ping_one_at_a_time",
                section: "Requests",
                label: "ping one at a time (\(Format.grouped(samples.count)))",
                value: "p50 \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                target: "p50 ≤ 60 µs",
                met: summary.p50 <= 60_000,
                details: ["latency": summary.json, "fallbacks": .int(classifier.fallbacks)]
            )
        )
    }

    /// All requests written back to back (64 per `write()`) by a writer thread while this thread reads the
    /// responses: requests per second from the first write to the last response.
    private func pipelined(
        _ host: BenchHost,
        key: String,
        label: String,
        target: Double?,
        requests: [[UInt8]]
    ) throws(BenchError) {
        results.begin(label)
        let chunks = ChunkWriter.chunks(requests)
        let watchdog = Watchdog(pid: host.pid, seconds: 120)
        defer { watchdog.cancel() }
        var tally = ResponseTally(count: requests.count)
        let start = Monotonic.now()
        let writer = ChunkWriter(descriptor: host.input, chunks: chunks)
        while !tally.isComplete {
            guard let line = try host.output.readLine() else {
                throw BenchError("the host closed its stdout during \(label); see \(host.logPath)")
            }
            tally.record(line)
        }
        let elapsed = Monotonic.seconds(from: start, to: Monotonic.now())
        if let failure = writer.wait() { throw BenchError(failure) }
        let rate = Double(requests.count) / elapsed
        if tally.errors > 0 { results.problem("\(label): \(tally.errors) error responses") }
        results.add(
            Figure(
                key: key,
                section: "Requests",
                label: label,
                value: Format.rate(rate),
                target: target.map { "≥ \(Format.rate($0))" },
                met: target.map { rate >= $0 },
                checks: tally.checks,
                details: [
                    "requests": .int(requests.count), "elapsed_s": .number(Format.decimal(elapsed, places: 4)),
                    "per_second": .int(Int(rate)), "errors": .int(tally.errors), "duplicates": .int(tally.duplicates),
                ]
            )
        )
    }

    /// Hosts updating tasks of the same project at once, each pipelining its share (its own tasks, so that they
    /// never conflict): updates per second over all of them, first write to last response.
    private func concurrentWriters() throws(BenchError) {
        let count = scale.concurrentHosts
        let label = "task.update, \(count) hosts × \(Format.grouped(scale.concurrentPerHost)) pipelined at once"
        results.begin(label)
        let hosts = try world.hosts(count, relay: .redis, as: world.writer)
        defer { finishAll(hosts) }
        var requestsPerHost: [[[UInt8]]] = []
        for host in hosts {
            var pool = TaskPool(ids: try world.createTasks(16, through: host, prefix: "concurrent"))
            requestsPerHost.append(ChunkWriter.chunks(pool.updateRequests(scale.concurrentPerHost)))
        }
        let watchdogs = hosts.map { Watchdog(pid: $0.pid, seconds: 120) }
        defer { for watchdog in watchdogs { watchdog.cancel() } }
        var tallies = hosts.map { _ in ResponseTally(count: scale.concurrentPerHost) }
        let start = Monotonic.now()
        let writers = zip(hosts, requestsPerHost).map { ChunkWriter(descriptor: $0.input, chunks: $1) }
        var open = Set(hosts.indices)
        while !open.isEmpty {
            var descriptors = open.sorted().map {
                pollfd(fd: hosts[$0].output.descriptor, events: Int16(POLLIN), revents: 0)
            }
            guard poll(&descriptors, nfds_t(descriptors.count), 1000) >= 0 || errno == EINTR else {
                throw BenchError("poll failed")
            }
            for (slot, index) in open.sorted().enumerated() where descriptors[slot].revents != 0 {
                let host = hosts[index]
                guard try host.output.fill() > 0 else {
                    throw BenchError("a host closed its stdout during \(label); see \(host.logPath)")
                }
                while let line = host.output.nextLine() { tallies[index].record(line) }
                if tallies[index].isComplete { open.remove(index) }
            }
        }
        let elapsed = Monotonic.seconds(from: start, to: Monotonic.now())
        for writer in writers {
            if let failure = writer.wait() { throw BenchError(failure) }
        }
        let total = count * scale.concurrentPerHost
        let errors = tallies.reduce(0) { $0 + $1.errors }
        let rate = Double(total) / elapsed
        if errors > 0 { results.problem("\(label): \(errors) error responses (busy or conflict)") }
        results.add(
            Figure(
                key: "task_update_concurrent",
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
}

/// Counts the responses of a pipelined run by id: each must come exactly once.
struct ResponseTally {
    private var seen: [Bool]
    private var classifier = LineClassifier()
    private(set) var received = 0
    private(set) var errors = 0
    private(set) var duplicates = 0

    init(count: Int) {
        seen = Array(repeating: false, count: count)
    }

    var isComplete: Bool { received == seen.count }
    var checks: String { "errors \(errors), dup \(duplicates)" }

    mutating func record(_ line: UnsafeBufferPointer<UInt8>) {
        guard case .response(let id, let isError) = classifier.classify(line), id >= 0, id < seen.count else {
            return
        }
        if seen[Int(id)] {
            duplicates += 1
            return
        }
        seen[Int(id)] = true
        received += 1
        if isError { errors += 1 }
    }
}
