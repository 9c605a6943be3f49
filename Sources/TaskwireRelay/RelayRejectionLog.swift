public import Logging
import TaskwireSync

/// Counts relay messages that failed verification and warns about them on the log, at most once per interval and
/// never with any of their content: a flood of forged messages must not become a flood of log lines.
public final class RelayRejectionLog: Sendable {
    struct State {
        var total: [RelayRejection: Int] = [:]
        var unreported: [RelayRejection: Int] = [:]
        var lastReport: ContinuousClock.Instant?
    }

    private let state = Locked(State())
    private let logger: Logger
    private let interval: Duration

    public init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Messages dropped since the start, by reason.
    public var counts: [RelayRejection: Int] { state.withLock { $0.total } }

    /// Counts one dropped message, and warns when the last warning is older than the interval.
    public func record(_ rejection: RelayRejection) {
        let now = ContinuousClock.now
        let report: (String, Int)? = state.withLock { state in
            state.total[rejection, default: 0] += 1
            state.unreported[rejection, default: 0] += 1
            if let last = state.lastReport, now - last < interval { return nil }
            state.lastReport = now
            defer { state.unreported = [:] }
            let reasons = RelayRejection.allCases.compactMap { reason in
                state.unreported[reason].map { "\(reason.rawValue): \($0)" }
            }
            return (reasons.joined(separator: ", "), state.total.values.reduce(0, +))
        }
        guard let (reasons, total) = report else { return }
        logger.warning(
            "dropped relay messages that failed verification (\(reasons)); \(total) since start",
            metadata: ["dropped": "\(total)"]
        )
    }
}
