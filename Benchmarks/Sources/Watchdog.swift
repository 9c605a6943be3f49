import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Kills a host that has not finished a phase in time, so that a blocking read on its stdout ends (at end of
/// file) instead of hanging the run.
final class Watchdog: Sendable {
    private let cancelled = Atomic<Bool>(false)

    init(pid: pid_t, seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            if !cancelled.load(ordering: .acquiring) { kill(pid, SIGKILL) }
        }
    }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
    }
}
