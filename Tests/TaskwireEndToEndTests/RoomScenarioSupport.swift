import Foundation
import TaskwireProtocol
import TaskwireSync
import TaskwireTestSupport
import Testing

/// Writes a stream of changes to one project through one host, a pipelined window of requests at a time.
///
/// The mixed stream creates tasks, updates them, moves their status and comments on them; each request on a task
/// names the version its earlier requests lead to, which holds because a host applies one client's requests on an
/// entity in the order they were sent. Every request must succeed.
final class RoomWriter: Sendable {
    enum Workload: Sendable {
        /// task.create, task.update, task.setStatus and comment.create, mixed.
        case mixed
        /// task.create only, each with a description of this many bytes.
        case largeTasks(descriptionBytes: Int)
    }

    private struct Progress {
        var seqs: [Int64] = []
        var stopRequested = false
    }

    private struct TrackedTask {
        var id: String
        var version: Int64
        var status: Int
    }

    private enum Change {
        case create
        case update(task: Int)
        case setStatus(task: Int)
        case comment(task: Int)
    }

    private static let statuses = ["todo", "in_progress", "in_review", "done"]

    let client: RoomClient
    let projectID: String
    private let progress = Locked(Progress())

    init(_ client: RoomClient, projectID: String) {
        self.client = client
        self.projectID = projectID
    }

    /// The `seq` of every change committed so far, in the order the replies came.
    var seqs: [Int64] { progress.withLock { $0.seqs } }

    /// The highest `seq` committed so far (0 before any).
    var lastSeq: Int64 { progress.withLock { $0.seqs.max() ?? 0 } }

    /// Makes ``run(changes:workload:window:pause:)`` return after the window it is writing.
    func stop() {
        progress.withLock { $0.stopRequested = true }
    }

    /// Writes `changes` changes (or until ``stop()``), `window` requests at a time, pausing between windows.
    func run(changes: Int, workload: Workload = .mixed, window: Int = 25, pause: Duration = .zero) async throws {
        var tasks: [TrackedTask] = []
        var written = 0
        while written < changes, !progress.withLock({ $0.stopRequested }) {
            let size = min(window, changes - written)
            var sent: [(id: Int, change: Change)] = []
            for offset in 0..<size {
                let change = plan(written + offset, workload: workload, tasks: &tasks)
                sent.append(
                    (client.send(method(of: change), params(of: change, workload: workload, tasks: tasks)), change)
                )
            }
            for (id, change) in sent {
                let result: JSON
                do {
                    result = try await client.reply(to: id)
                } catch {
                    throw RoomClientError(description: "\(method(of: change)) (request \(id)) failed: \(error)")
                }
                guard let seq = result["seq"]?.int64Value else {
                    throw RoomClientError(description: "\(method(of: change)) answered without seq: \(result.text)")
                }
                if case .create = change, let id = result["task"]?["id"]?.stringValue {
                    tasks.append(TrackedTask(id: id, version: 1, status: 0))
                }
                progress.withLock { $0.seqs.append(seq) }
            }
            written += size
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }

    /// The change at position `index` of the stream; updates the expected versions of the tasks it touches.
    private func plan(_ index: Int, workload: Workload, tasks: inout [TrackedTask]) -> Change {
        guard case .mixed = workload, !tasks.isEmpty, index % 5 != 0 else { return .create }
        let task = (index / 5) % tasks.count
        switch index % 5 {
        case 1, 4:
            tasks[task].version += 1
            return .update(task: task)
        case 2:
            tasks[task].version += 1
            tasks[task].status = (tasks[task].status + 1) % Self.statuses.count
            return .setStatus(task: task)
        default:
            return .comment(task: task)
        }
    }

    private func method(of change: Change) -> String {
        switch change {
        case .create: "task.create"
        case .update: "task.update"
        case .setStatus: "task.setStatus"
        case .comment: "comment.create"
        }
    }

    /// The params of a planned change; `tasks` already holds the version the change expects plus one.
    private func params(of change: Change, workload: Workload, tasks: [TrackedTask]) -> JSONObject {
        switch change {
        case .create:
            var params: JSONObject = ["projectId": .string(projectID), "title": .string("task \(UUID().uuidString)")]
            if case .largeTasks(let bytes) = workload {
                params["description"] = .string(String(repeating: "d", count: bytes))
            }
            return params
        case .update(let index):
            let task = tasks[index]
            return [
                "id": .string(task.id),
                "expectedVersion": .int(task.version - 1),
                "title": .string("edited to v\(task.version)"),
                "priority": .string(["low", "medium", "high", "urgent"][Int(task.version) % 4]),
            ]
        case .setStatus(let index):
            let task = tasks[index]
            return [
                "id": .string(task.id),
                "expectedVersion": .int(task.version - 1),
                "status": .string(Self.statuses[task.status]),
            ]
        case .comment(let index):
            return ["taskId": .string(tasks[index].id), "body": .string("comment \(UUID().uuidString)")]
        }
    }
}

extension Collection where Element == RoomClient.Message {
    /// The event notifications of a project among these messages.
    func events(of projectID: String) -> [RoomClient.Message] {
        filter { $0.isEvent && $0.params["projectId"]?.stringValue == projectID }
    }

    /// The notifications with this method about a project.
    func notifications(_ method: String, of projectID: String) -> [RoomClient.Message] {
        filter { $0.method == method && $0.params["projectId"]?.stringValue == projectID }
    }

    /// The presence notifications about one session.
    func presence(of sessionID: String) -> [RoomClient.Message] {
        filter { $0.method?.hasPrefix("presence.") == true && $0.params["sessionId"]?.stringValue == sessionID }
    }
}

/// The checks every room scenario makes of what a client received.
enum RoomExpect {
    /// Waits until `client` received an event of the project with a `seq` of at least `seq`, after position `index`.
    static func waitForSeq(
        _ client: RoomClient,
        _ seq: Int64,
        projectID: String,
        after index: Int = 0,
        timeout: Duration = .seconds(30)
    ) async throws {
        try await client.waitFor("event seq \(seq) of \(projectID)", after: index, timeout: timeout) {
            $0.isEvent && $0.params["projectId"]?.stringValue == projectID && ($0.seq ?? 0) >= seq
        }
    }

    /// Waits until `condition` holds, checking it every few milliseconds.
    static func eventually(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw RoomClientError(description: "no \(what) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Expects the events of the project among `messages` to be exactly `first`…`last`, in order, each equal to the
    /// event of the same `seq` in `log` (the result of `events.list`) when it is given.
    static func delivered(
        _ messages: some Collection<RoomClient.Message>,
        projectID: String,
        first: Int64 = 1,
        last: Int64,
        log: [JSON]? = nil,
        reader: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let events = messages.events(of: projectID)
        let problems = RoomEvent.sequenceProblems(events.compactMap(\.seq), first: first, last: last)
        #expect(problems.isEmpty, "\(reader): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
        guard let log else { return }
        let logged = Dictionary(log.map { ($0["seq"]?.int64Value ?? 0, $0) }) { first, _ in first }
        var mismatches = 0
        for event in events {
            guard let seq = event.seq, event.params != logged[seq] else { continue }
            mismatches += 1
            if mismatches == 1 {
                let expected = logged[seq]?.text ?? "nothing"
                Issue.record(
                    "\(reader): event \(seq) differs from events.list:\n\(event.params.text)\n\(expected)",
                    sourceLocation: sourceLocation
                )
            }
        }
        #expect(
            mismatches == 0,
            "\(reader): \(mismatches) events differ from events.list",
            sourceLocation: sourceLocation
        )
    }

    /// Expects nothing among `messages` that a room never sends to a session that stays in it.
    static func noEviction(
        _ messages: some Collection<RoomClient.Message>,
        reader: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let unexpected = messages.filter { ["project.resync", "project.revoked"].contains($0.method ?? "") }
            .map(\.json.text)
        #expect(unexpected.isEmpty, "\(reader)", sourceLocation: sourceLocation)
    }

    /// Expects every host of the world to exit with 0 once its stdin is closed.
    static func orderlyExit(_ world: RoomWorld, sourceLocation: SourceLocation = #_sourceLocation) async {
        let failures = await world.close()
        #expect(
            failures.isEmpty,
            "hosts that did not exit with 0 (pid: code): \(failures)",
            sourceLocation: sourceLocation
        )
    }
}

extension RoomClient {
    /// Joins a project's room and returns the reply.
    @discardableResult
    func join(_ projectID: String, since: Int64? = nil) async throws -> JSON {
        var params: JSONObject = ["projectId": .string(projectID)]
        if let since { params["since"] = .int(since) }
        return try await request("project.join", params)
    }
}

/// Keeps the room scenarios that load the machine from starving each other: at most two heavy scenarios (thousands
/// of changes, megabytes of events) run at once, and a scenario that checks a time bound (a relay back within 5 s)
/// runs with no heavy one alongside, so that its bound measures the hosts rather than a busy machine. Unmarked
/// scenarios, which mostly wait, run alongside anything.
struct RoomLoadTrait: TestTrait, TestScoping {
    /// A counting semaphore whose waiters are served in order.
    private actor Slots {
        private var free = RoomLoadTrait.capacity
        private var waiters: [(units: Int, continuation: CheckedContinuation<Void, Never>)] = []

        func acquire(_ units: Int) async {
            guard waiters.isEmpty, free >= units else {
                await withCheckedContinuation { waiters.append((units, $0)) }
                return
            }
            free -= units
        }

        func release(_ units: Int) {
            free += units
            while let first = waiters.first, free >= first.units {
                free -= first.units
                waiters.removeFirst().continuation.resume()
            }
        }
    }

    private static let capacity = 2
    private static let slots = Slots()

    /// How many of the slots the marked scenario takes.
    let units: Int

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        await Self.slots.acquire(units)
        do {
            try await function()
        } catch {
            await Self.slots.release(units)
            throw error
        }
        await Self.slots.release(units)
    }
}

extension Trait where Self == RoomLoadTrait {
    /// A scenario that keeps the machine busy: it runs alongside at most one other.
    static var heavyLoad: Self { Self(units: 1) }

    /// A scenario that checks a time bound: no heavy scenario runs alongside it.
    static var timed: Self { Self(units: 2) }
}
