import Logging
import TaskwireRelay
import TaskwireSync
import Testing

/// Records what a relay delivers, for assertions.
final class RelayProbe: Sendable {
    private let received = Locked<[[UInt8]]>([])
    private let changes = Locked<[RelayState]>([])
    private let quiet = Locked<[Int]>([])

    var messages: [[UInt8]] { received.withLock { $0 } }
    var stateChanges: [RelayState] { changes.withLock { $0 } }
    /// How many messages had arrived at each `onQuiet`, in order.
    var quietMarks: [Int] { quiet.withLock { $0 } }

    func start(_ relay: any Relay) {
        relay.start(
            onMessage: { payload in self.received.withLock { $0.append(payload) } },
            onStateChange: { state in self.changes.withLock { $0.append(state) } },
            onSubscribed: { _ in },
            onQuiet: {
                let count = self.received.withLock { $0.count }
                self.quiet.withLock { $0.append(count) }
            }
        )
    }

    /// Messages received, as text (for payloads known to be UTF-8).
    var texts: [String] { messages.map { String(decoding: $0, as: UTF8.self) } }
}

/// A logger that shows warnings and errors on stderr.
func testLogger(_ label: String = "relay-test") -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}

/// Waits until `condition` holds, for at most `timeout`; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

/// A namespace no other test uses.
func uniqueNamespace() -> String {
    "test-\(UInt64.random(in: 0...UInt64.max))"
}

/// Fails the test when two consecutive state changes are equal.
func expectAlternating(_ changes: [RelayState], sourceLocation: SourceLocation = #_sourceLocation) {
    for (previous, next) in zip(changes, changes.dropFirst()) {
        #expect(previous != next, "state changes \(changes) repeat a state", sourceLocation: sourceLocation)
    }
}
