#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named, detached thread whose end can be waited for: every long-running thread of the host and of the client
/// library is started through this, so that all of them start and stop the same way.
///
/// A worker runs a loop over its own inbox and waits on a ``ConditionLock`` for work; it ends by returning from
/// its body, after which ``waitUntilFinished(timeoutMilliseconds:)`` returns true.
public final class WorkerThread: Sendable {
    public let name: String
    private let finished = Locked(false)
    /// The worker's thread while it runs.
    private let running = Locked<pthread_t?>(nil)
    private let condition = ConditionLock()

    private init(name: String) {
        self.name = name
    }

    /// Starts `body` on a new thread named `name` (visible in `top -H` and debuggers).
    @discardableResult
    public static func start(
        name: String,
        stackSize: Int = 1 << 20,
        _ body: @escaping @Sendable () -> Void
    ) -> WorkerThread {
        let worker = WorkerThread(name: name)
        let context = Unmanaged.passRetained(Context(worker: worker, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let status = pthread_create(&thread, &attributes, workerEntry, context)
        // Without a thread nothing the host promises can hold; this happens only when the process is out of
        // threads or memory.
        precondition(status == 0, "cannot start thread \(name): error \(status)")
        return worker
    }

    /// Whether the body has returned.
    public var isFinished: Bool { finished.withLock { $0 } }

    /// Waits until the body has returned; false when it has not within the time.
    @discardableResult
    public func waitUntilFinished(timeoutMilliseconds: Int) -> Bool {
        let deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
        return condition.withLock {
            while !isFinished {
                if !condition.wait(untilNanoseconds: deadline) { return isFinished }
            }
            return true
        }
    }

    /// Whether the calling thread is this worker's (a worker must not wait for itself to finish).
    public var isCurrentThread: Bool {
        running.withLock { thread in thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    fileprivate func run(_ body: () -> Void) {
        setName()
        running.withLock { $0 = pthread_self() }
        body()
        running.withLock { $0 = nil }
        condition.withLock {
            finished.withLock { $0 = true }
            condition.broadcast()
        }
    }

    private func setName() {
        #if canImport(Glibc)
        // Linux limits thread names to 15 bytes.
        _ = setThreadName?(pthread_self(), String(name.utf8.prefix(15)) ?? "taskwire")
        #else
        _ = pthread_setname_np(name)
        #endif
    }
}

private final class Context {
    let worker: WorkerThread
    let body: @Sendable () -> Void

    init(worker: WorkerThread, body: @escaping @Sendable () -> Void) {
        self.worker = worker
        self.body = body
    }
}

#if canImport(Glibc)
/// `pthread_setname_np`, which Swift's Glibc module does not import (it needs `_GNU_SOURCE`), looked up at run time.
private let setThreadName: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32)? = dlsym(
    dlopen(nil, RTLD_NOW),
    "pthread_setname_np"
).map { unsafeBitCast($0, to: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32).self) }

private func workerEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
    context.worker.run(context.body)
    return nil
}
#else
private func workerEntry(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    let context = Unmanaged<Context>.fromOpaque(raw).takeRetainedValue()
    context.worker.run(context.body)
    return nil
}
#endif
