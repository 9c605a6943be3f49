import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, taken by one thread instead of interrupting whichever thread the kernel picks.
struct Signals {
    private let set: sigset_t

    /// Blocks the termination signals in the calling thread and every thread it starts afterwards.
    static func blockTermination() -> Signals {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return Signals(set: set)
    }

    /// Runs `handler` on a dedicated thread when the first termination signal arrives.
    func onTermination(_ handler: @escaping @Sendable () -> Void) {
        let set = self.set
        WorkerThread.start(name: "tw.signals") {
            var waited = set
            var received: Int32 = 0
            sigwait(&waited, &received)
            handler()
        }
    }
}
