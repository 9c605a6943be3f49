import TaskwireStore

/// A failed statement, classified by what the transaction runner does about it.
struct PostgresFailure: Error {
    enum Kind {
        /// The connection is gone (class 08, an administrator's or a crash shutdown, a dead socket).
        case lost
        /// A serialization failure or a deadlock: the transaction may simply be run again.
        case conflict
        /// Anything else, as the store reports it.
        case error(StoreError)
    }

    let kind: Kind
    /// The server's or libpq's message, for the log only.
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Classifies a failure by its SQLSTATE (nil when it did not come from the server).
    static func classify(sqlState: String?, message: String, connectionBad: Bool) -> PostgresFailure {
        let line = String(message.split(separator: "\n", maxSplits: 1).first ?? "")
        let detail = "storage error \(sqlState ?? "-----"): \(line)"
        guard let state = sqlState, !connectionBad else { return PostgresFailure(.lost, line) }
        let kind: Kind
        switch state {
        case "40001", "40P01":
            kind = .conflict
        // Shutdown by an administrator, a crash or a start-up.
        case "57P01", "57P02", "57P03":
            kind = .lost
        // A lock held past lock_timeout, a cancelled statement, the server short of memory or connections.
        case "55P03", "57014", "53200", "53300", "53400":
            kind = .error(.busy)
        case "53100":
            kind = .error(.storageFull)
        // A read-only server (a standby, or default_transaction_read_only).
        case "25006":
            kind = .error(.unavailable(detail))
        default:
            if state.hasPrefix("08") {
                kind = .lost
            } else if state.hasPrefix("XX") || state.hasPrefix("58") {
                kind = .error(.unavailable(detail))
            } else {
                kind = .error(.failure(detail))
            }
        }
        return PostgresFailure(kind, detail)
    }
}
