import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// Signals taken by one thread instead of interrupting whichever thread the kernel picks: SIGTERM and SIGINT for
/// a host, and for the board also SIGHUP and SIGWINCH.
struct Signals {
    private let set: sigset_t

    /// Blocks the termination signals in the calling thread and every thread it starts afterwards.
    static func blockTermination() -> Signals {
        block([SIGTERM, SIGINT])
    }

    /// Blocks `numbers` in the calling thread and every thread it starts afterwards.
    static func block(_ numbers: [Int32]) -> Signals {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
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

    /// Runs `handler` on a dedicated thread with each blocked signal that arrives, one at a time.
    func onEach(_ handler: @escaping @Sendable (Int32) -> Void) {
        let set = self.set
        WorkerThread.start(name: "tw.signals") {
            var waited = set
            var received: Int32 = 0
            while sigwait(&waited, &received) == 0 { handler(received) }
        }
    }
}
