#if canImport(Glibc)
import Glibc
#endif

/// One fan-out measurement: a writer host (not in the room) updates tasks, and every receiver host, joined to the
/// project, must deliver each resulting `task.updated` event exactly once and in `seq` order.
///
/// One thread does everything: it `poll()`s the stdout of the writer and of every receiver, stamps each `read()`
/// with the monotonic clock as it returns, and writes the next request as soon as the window allows. Nothing is
/// handed between threads, so no wake-up of ours is inside a measured interval.
final class FanOutRun {
    struct Outcome {
        var receivers: Int
        var window: Int
        /// Updates sent one at a time before the measured ones.
        var warmup = 0
        /// Measured updates sent (after the warm-up).
        var sent = 0
        /// Measured updates answered with an error (they make no event).
        var failed = 0
        /// Measured updates with no response by the end.
        var unanswered = 0
        /// Deliveries expected: each successful measured update, to each receiver.
        var expected = 0
        /// Distinct deliveries of measured events.
        var delivered = 0
        var lost = 0
        var duplicates = 0
        /// Notifications that arrived after a later `seq` on the same receiver.
        var outOfOrder = 0
        /// `task.updated` notifications with a `seq` the run did not cause.
        var unexpected = 0
        /// `project.resync` notifications: a receiver was taken out of the room for reading too slowly.
        var resyncs = 0
        /// Lines that were not in the host's usual shape and were parsed in full.
        var fallbacks = 0
        /// No progress for `stallSeconds`: the run was cut short.
        var stalled = false
        /// The time limit was reached before every update was sent; the figures cover those sent.
        var truncated = false
        /// Request written → notification read, for every delivery.
        var latencies: [UInt64] = []
        /// Request written → read by the last receiver, for every fully delivered update.
        var completions: [UInt64] = []
        /// First measured request written → last measured update fully delivered.
        var elapsed = 0.0
        var fullyDelivered = 0

        var fullyDeliveredPerSecond: Double { elapsed > 0 ? Double(fullyDelivered) / elapsed : 0 }
        var isClean: Bool {
            lost == 0 && duplicates == 0 && outOfOrder == 0 && unexpected == 0 && resyncs == 0 && !stalled
                && unanswered == 0
        }
    }

    static let stallSeconds = 5.0
    static let warmupSeconds = 2.0

    private let writer: BenchHost
    private let receivers: [BenchHost]
    /// The project's `seq` when the receivers joined: the run's first event is `baseSeq + 1`.
    private let baseSeq: Int64
    private let warmup: Int
    private let updates: Int
    /// Room for every request and event: warm-up and measured updates together.
    private let total: Int
    private var classifier = LineClassifier()
    /// The writer's stdout first, then each receiver's.
    private var descriptors: [pollfd]

    // Per request (index = request id).
    private var sendTimes: [UInt64]
    private var seqs: [Int64]
    private var tasks: [Int]
    // Per event (index = seq - baseSeq - 1), and per receiver and event.
    private var deliveryCounts: [Int32]
    private var completedAt: [UInt64]
    private var arrivals: [UInt64]
    private var lastSeq: [Int64]

    private var sent = 0
    private var answered = 0
    private var failed = 0
    private var fullyDelivered = 0
    private var lastProgress: UInt64 = 0
    private var deadline: UInt64 = .max
    private var outcome: Outcome

    private static let seqKey = Array(#""seq":"#.utf8)
    private static let currentVersionKey = Array(#""currentVersion":"#.utf8)

    init(writer: BenchHost, receivers: [BenchHost], baseSeq: Int64, warmup: Int, updates: Int, window: Int) {
        self.writer = writer
        self.receivers = receivers
        self.baseSeq = baseSeq
        self.warmup = warmup
        self.updates = updates
        let total = warmup + updates
        self.total = total
        sendTimes = Array(repeating: 0, count: total)
        seqs = Array(repeating: 0, count: total)
        tasks = Array(repeating: 0, count: total)
        deliveryCounts = Array(repeating: 0, count: total)
        completedAt = Array(repeating: 0, count: total)
        arrivals = Array(repeating: 0, count: total * receivers.count)
        lastSeq = Array(repeating: baseSeq, count: receivers.count)
        descriptors = ([writer] + receivers).map { pollfd(fd: $0.output.descriptor, events: Int16(POLLIN), revents: 0) }
        outcome = Outcome(receivers: receivers.count, window: window)
    }

    /// Sends `warmup` updates one at a time, then `updates` with up to `window` not yet delivered to every receiver,
    /// and waits until everything is delivered (or nothing has moved for `stallSeconds`).
    ///
    /// No update is sent after `timeLimit` seconds, so that a slow host cannot stretch the run without bound.
    /// The warm-up stops after `warmupSeconds` too; the time limit counts from its end.
    func run(pool: inout TaskPool, timeLimit: Double) throws(BenchError) -> Outcome {
        lastProgress = Monotonic.now()
        deadline = lastProgress + UInt64(Self.warmupSeconds * 1e9)
        try pump(until: warmup, window: 1, pool: &pool)
        let warmedUp = sent
        outcome.truncated = false
        deadline = Monotonic.now() + UInt64(timeLimit * 1e9)
        if !outcome.stalled { try pump(until: warmedUp + updates, window: outcome.window, pool: &pool) }
        // Anything still arriving now would be a duplicate or out of place: give it a moment to show.
        try settle(milliseconds: 100, pool: &pool)
        summarize(warmup: warmedUp)
        return outcome
    }

    private var inFlight: Int { sent - failed - fullyDelivered }

    private func pump(until requested: Int, window: Int, pool: inout TaskPool) throws(BenchError) {
        var limit = requested
        while true {
            if sent < limit, Monotonic.now() > deadline {
                outcome.truncated = true
                limit = sent
            }
            while sent < limit, inFlight < window {
                let task = pool.take()
                let request = Requests.updateTask(id: sent, taskID: task.id, expectedVersion: task.expectedVersion)
                tasks[sent] = task.index
                sendTimes[sent] = Monotonic.now()
                try writer.send(request)
                sent += 1
            }
            if sent == limit, answered == limit, inFlight == 0 { return }
            try pollOnce(timeoutMilliseconds: 50, pool: &pool)
            if Monotonic.seconds(from: lastProgress, to: Monotonic.now()) > Self.stallSeconds {
                outcome.stalled = true
                return
            }
        }
    }

    private func settle(milliseconds: Int, pool: inout TaskPool) throws(BenchError) {
        let deadline = Monotonic.now() + UInt64(milliseconds) * 1_000_000
        while Monotonic.now() < deadline { try pollOnce(timeoutMilliseconds: 10, pool: &pool) }
    }

    private func pollOnce(timeoutMilliseconds: Int32, pool: inout TaskPool) throws(BenchError) {
        for index in descriptors.indices { descriptors[index].revents = 0 }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { return }
            throw BenchError("poll failed: \(String(cString: strerror(errno)))")
        }
        guard ready > 0 else { return }
        for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
            let host = index == 0 ? writer : receivers[index - 1]
            guard try host.output.fill() > 0 else {
                throw BenchError("a host (pid \(host.pid)) closed its stdout during fan-out; see \(host.logPath)")
            }
            let stamp = Monotonic.now()
            while let line = host.output.nextLine() {
                if index == 0 {
                    writerLine(line, pool: &pool)
                } else {
                    receiverLine(line, receiver: index - 1, stamp: stamp)
                }
            }
        }
    }

    private func writerLine(_ line: UnsafeBufferPointer<UInt8>, pool: inout TaskPool) {
        guard case .response(let id, let isError) = classifier.classify(line), id >= 0, id < sent else { return }
        let request = Int(id)
        guard seqs[request] == 0 else { return }
        answered += 1
        lastProgress = Monotonic.now()
        if isError {
            seqs[request] = -1
            failed += 1
            if let current = LineClassifier.firstInteger(after: Self.currentVersionKey, in: line) {
                pool.resynchronize(tasks[request], currentVersion: current)
            }
        } else {
            seqs[request] = LineClassifier.lastInteger(after: Self.seqKey, in: line) ?? -2
        }
    }

    private func receiverLine(_ line: UnsafeBufferPointer<UInt8>, receiver: Int, stamp: UInt64) {
        switch classifier.classify(line) {
        case .taskUpdated(let seq):
            if seq <= lastSeq[receiver] { outcome.outOfOrder += 1 }
            lastSeq[receiver] = max(lastSeq[receiver], seq)
            let event = Int(seq - baseSeq - 1)
            guard event >= 0, event < total else {
                outcome.unexpected += 1
                return
            }
            let slot = receiver * total + event
            guard arrivals[slot] == 0 else {
                outcome.duplicates += 1
                return
            }
            arrivals[slot] = stamp
            deliveryCounts[event] += 1
            if deliveryCounts[event] == receivers.count {
                completedAt[event] = stamp
                fullyDelivered += 1
                lastProgress = stamp
            }
        case .resync:
            outcome.resyncs += 1
        case .response, .otherNotification, .unrecognized:
            break
        }
    }

    private func summarize(warmup: Int) {
        outcome.fallbacks = classifier.fallbacks
        outcome.warmup = warmup
        outcome.sent = max(0, sent - warmup)
        var firstSend: UInt64 = 0
        var lastCompletion: UInt64 = 0
        for request in warmup..<max(warmup, sent) {
            if firstSend == 0 { firstSend = sendTimes[request] }
            switch seqs[request] {
            case -1:
                outcome.failed += 1
                continue
            case 0:
                outcome.unanswered += 1
                continue
            default:
                break
            }
            let event = Int(seqs[request] - baseSeq - 1)
            outcome.expected += receivers.count
            guard event >= 0, event < total else {
                outcome.lost += receivers.count
                continue
            }
            for receiver in 0..<receivers.count {
                let arrival = arrivals[receiver * total + event]
                if arrival == 0 {
                    outcome.lost += 1
                } else {
                    outcome.delivered += 1
                    outcome.latencies.append(arrival &- sendTimes[request])
                }
            }
            if completedAt[event] != 0 {
                outcome.fullyDelivered += 1
                outcome.completions.append(completedAt[event] &- sendTimes[request])
                lastCompletion = max(lastCompletion, completedAt[event])
            }
        }
        if lastCompletion > firstSend { outcome.elapsed = Monotonic.seconds(from: firstSend, to: lastCompletion) }
    }
}
