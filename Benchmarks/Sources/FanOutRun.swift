import TaskwireSync

/// One fan-out measurement: a writer host (not in the room) updates tasks, and every receiver host, joined to the
/// project, must deliver each resulting `task.updated` event exactly once and in `seq` order.
///
/// Each host's lines are seen on its connection's reading thread by an observer that stamps each with the
/// monotonic clock as it arrives, before anything else, and books it under the run's lock. The driving thread (the
/// caller's) writes each update straight to the writer's stdin, the clock read right before the write, and
/// otherwise sleeps on the run's condition, which an observer signals when an update is answered or has reached
/// every receiver. No hand-off between threads is inside a measured interval.
// @unchecked Sendable: every stored `var` is read and written with `condition` held, except `sendTimes`, which only
// the driving thread touches.
final class FanOutRun: @unchecked Sendable {
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
        /// Request written → the writer's response read, for every measured update answered without an error: the
        /// part of each delivery that happens before the event can leave the writing host.
        var replies: [UInt64] = []
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
    private let classifier = LineClassifier()
    private let condition = ConditionLock()
    private var pool = TaskPool(ids: [])

    // Per request (index = request id). `sendTimes` belongs to the driving thread.
    private var sendTimes: [UInt64]
    private var seqs: [Int64]
    private var replyArrivals: [UInt64]
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
        replyArrivals = Array(repeating: 0, count: total)
        tasks = Array(repeating: 0, count: total)
        deliveryCounts = Array(repeating: 0, count: total)
        completedAt = Array(repeating: 0, count: total)
        arrivals = Array(repeating: 0, count: total * receivers.count)
        lastSeq = Array(repeating: baseSeq, count: receivers.count)
        outcome = Outcome(receivers: receivers.count, window: window)
    }

    /// Sends `warmup` updates one at a time, then `updates` with up to `window` not yet delivered to every receiver,
    /// and waits until everything is delivered (or nothing has moved for `stallSeconds`).
    ///
    /// No update is sent after `timeLimit` seconds, so that a slow host cannot stretch the run without bound.
    /// The warm-up stops after `warmupSeconds` too; the time limit counts from its end.
    func run(pool: inout TaskPool, timeLimit: Double) throws(BenchError) -> Outcome {
        installObservers()
        defer {
            for host in [writer] + receivers { host.observe(nil) }
        }
        condition.lock()
        defer { condition.unlock() }
        self.pool = pool
        defer { pool = self.pool }
        lastProgress = MonotonicClock.now()
        deadline = lastProgress + UInt64(Self.warmupSeconds * 1e9)
        try pump(until: warmup, window: 1)
        let warmedUp = sent
        outcome.truncated = false
        deadline = MonotonicClock.deadline(afterSeconds: timeLimit)
        if !outcome.stalled { try pump(until: warmedUp + updates, window: outcome.window) }
        // Anything still arriving now would be a duplicate or out of place: give it a moment to show.
        settle(milliseconds: 100)
        summarize(warmup: warmedUp)
        return outcome
    }

    private var inFlight: Int { sent - failed - fullyDelivered }

    /// Called with `condition` held; lets go of it only to write a request and while it sleeps.
    private func pump(until requested: Int, window: Int) throws(BenchError) {
        var limit = requested
        while true {
            let now = MonotonicClock.now()
            if sent < limit, now > deadline {
                outcome.truncated = true
                limit = sent
            }
            if sent < limit, inFlight < window {
                let task = pool.take()
                let id = sent
                tasks[id] = task.index
                // Counted as sent before it is written, so that its response is recognized however soon it comes.
                sent += 1
                condition.unlock()
                let request = Requests.updateTask(id: id, taskID: task.id, expectedVersion: task.expectedVersion)
                let start = MonotonicClock.now()
                writer.send(request)
                sendTimes[id] = start
                condition.lock()
                continue
            }
            if sent == limit, answered == limit, inFlight == 0 { return }
            if MonotonicClock.seconds(from: lastProgress, to: now) > Self.stallSeconds {
                outcome.stalled = true
                return
            }
            var wake = min(lastProgress + UInt64(Self.stallSeconds * 1e9), now + BenchHost.checkInterval)
            if sent < limit { wake = min(wake, deadline) }
            if !condition.wait(untilNanoseconds: wake), let host = ([writer] + receivers).first(where: \.isClosed) {
                throw host.failure("a host closed its stdout during fan-out")
            }
        }
    }

    /// Called with `condition` held: lets the observers book what still arrives for `milliseconds`.
    private func settle(milliseconds: Int) {
        let end = MonotonicClock.deadline(afterMilliseconds: milliseconds)
        while MonotonicClock.now() < end { condition.wait(untilNanoseconds: end) }
    }

    private func installObservers() {
        writer.observe { [self] line, arrival in
            guard case .response(let id, let isError) = classifier.classify(line), id >= 0, id < total else {
                return false
            }
            // Found before the lock is taken: the `seq` of a success, the task's version after a conflict.
            let number =
                isError
                ? LineClassifier.firstInteger(after: Self.currentVersionKey, in: line)
                : LineClassifier.lastInteger(after: Self.seqKey, in: line)
            condition.withLock { writerResponse(Int(id), isError: isError, number: number, arrival: arrival) }
            return true
        }
        for (receiver, host) in receivers.enumerated() {
            host.observe { [self] line, arrival in
                switch classifier.classify(line) {
                case .taskUpdated(let seq):
                    condition.withLock { receiverEvent(seq: seq, receiver: receiver, arrival: arrival) }
                    return true
                case .resync:
                    condition.withLock { outcome.resyncs += 1 }
                    return true
                case .response, .otherNotification, .unrecognized:
                    return false
                }
            }
        }
    }

    /// A response of the writer; called with `condition` held.
    private func writerResponse(_ request: Int, isError: Bool, number: Int64?, arrival: UInt64) {
        guard request < sent, seqs[request] == 0 else { return }
        answered += 1
        lastProgress = arrival
        replyArrivals[request] = arrival
        if isError {
            seqs[request] = -1
            failed += 1
            if let current = number { pool.resynchronize(tasks[request], currentVersion: current) }
        } else {
            seqs[request] = number ?? -2
        }
        condition.broadcast()
    }

    /// A `task.updated` read from a receiver; called with `condition` held.
    private func receiverEvent(seq: Int64, receiver: Int, arrival: UInt64) {
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
        arrivals[slot] = arrival
        deliveryCounts[event] += 1
        if deliveryCounts[event] == receivers.count {
            completedAt[event] = arrival
            fullyDelivered += 1
            lastProgress = arrival
            condition.broadcast()
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
            outcome.replies.append(replyArrivals[request] &- sendTimes[request])
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
        if lastCompletion > firstSend { outcome.elapsed = MonotonicClock.seconds(from: firstSend, to: lastCompletion) }
    }
}
