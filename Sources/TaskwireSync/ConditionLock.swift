#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with a condition variable, for the threads that move bytes in and out of the host.
///
/// `Synchronization.Mutex` has no condition variable; the writer and delivery threads need to sleep until
/// there is work, so they use this.
// @unchecked Sendable: the pthread objects are allocated once, never moved, and only used through
// pthread calls, which are thread-safe by contract; they are destroyed in deinit when no thread can hold them.
public final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex held.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every waiter. Call with the mutex held. (There is deliberately no way to wake just one: with more than
    /// one kind of waiter on a condition, the one woken could be the wrong kind.)
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits for a signal. Call with the mutex held; spurious wake-ups happen, so wait in a loop.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until `deadline` (a ``MonotonicClock`` reading in nanoseconds); false on timeout.
    @discardableResult
    public func wait(untilNanoseconds deadline: UInt64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        #if canImport(Glibc)
        return pthread_cond_timedwait(condition, mutex, &time) == 0
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let delta = Int64(deadline) - (Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))
        var relative = timespec(tv_sec: Int(max(delta, 0) / 1_000_000_000), tv_nsec: Int(max(delta, 0) % 1_000_000_000))
        return pthread_cond_timedwait_relative_np(condition, mutex, &relative) == 0
        #endif
    }
}

/// Monotonic time in nanoseconds, for deadlines and latency.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    public static func deadline(afterMilliseconds milliseconds: Int) -> UInt64 {
        now() + UInt64(milliseconds) * 1_000_000
    }
}
