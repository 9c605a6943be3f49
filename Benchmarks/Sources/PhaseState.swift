import TaskwireSync

/// What the line observers of a timed phase share with the thread that drives it: a value behind a
/// ``ConditionLock``. Observers run on the hosts' reading threads and change the value under the lock; the driving
/// thread sleeps on the condition until the value says it may go on.
// @unchecked Sendable: `value` is only read or written with `condition` held.
final class PhaseState<Value>: @unchecked Sendable {
    private let condition = ConditionLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Changes the value with the lock held; wakes the waiting thread when `body` returns true.
    func update(_ body: (inout Value) -> Bool) {
        condition.withLock {
            if body(&value) { condition.broadcast() }
        }
    }

    /// Reads or changes the value with the lock held, without waking anyone.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        condition.withLock { body(&value) }
    }

    /// Waits until `ready` returns a result. Throws when `deadline` (a ``MonotonicClock`` reading) passes first, or
    /// when one of `hosts` has closed its output before the result is there.
    func wait<Result>(
        for what: String,
        hosts: [BenchHost],
        deadline: UInt64,
        until ready: (inout Value) -> Result?
    ) throws(BenchError) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = ready(&value) { return result }
            let now = MonotonicClock.now()
            guard now < deadline else {
                let text = "no \(what) within the phase's time limit"
                throw hosts.count == 1 ? hosts[0].failure(text) : BenchError(text)
            }
            let check = min(deadline, now + BenchHost.checkInterval)
            if !condition.wait(untilNanoseconds: check) {
                if let result = ready(&value) { return result }
                if let host = hosts.first(where: \.isClosed) {
                    throw host.failure("the host closed its stdout while the benchmark waited for \(what)")
                }
            }
        }
    }
}

extension MonotonicClock {
    /// Seconds between two readings.
    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        Double(end &- start) / 1e9
    }

    /// A reading `seconds` from now.
    static func deadline(afterSeconds seconds: Double) -> UInt64 {
        now() &+ UInt64(seconds * 1e9)
    }
}
