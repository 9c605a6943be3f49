import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Several host processes writing one SQLite file at once: the event log stays whole and versions stay exact.
@Suite(.serialized) struct StoreConcurrencyTests {
    static let hostCount = 4
    static let requestsPerHost = 300
    static let sharedTaskCount = 4
    static let ownTasksPerHost = 2
    static let racedVersions: Int64 = 50

    /// One pipelined request and what it asked for.
    private struct Sent {
        enum Kind: String {
            case create
            /// An update of a task only this host changes, with the version its own earlier updates lead to.
            case ownUpdate
            /// An update of a task every host changes, with a version that may well be stale by then.
            case sharedUpdate
        }

        var host: Int
        var kind: Kind
        var requestID: Int
        var title: String
        var taskID: String?
        var expectedVersion: Int64?

        var label: String {
            "host \(host) request \(requestID) (\(kind.rawValue) \(taskID ?? "") v\(expectedVersion ?? 0))"
        }
    }

    /// A change a reply reported, to be found again in the event log under its `seq`.
    private struct Change {
        var type: String
        var taskID: String
        var version: Int64
        var title: String
        var actorID: String
    }

    /// What the replies of the test said happened.
    private struct Ledger {
        var changes: [Int64: Change] = [:]
        var updates: [String: Int64] = [:]
        /// Each task's title after its latest change, by `seq`.
        var titles: [String: (seq: Int64, title: String)] = [:]

        mutating func record(_ result: JSON, type: String, actorID: String, label: String) {
            guard let seq = result["seq"]?.int64Value, let task = result["task"] else {
                Issue.record("\(label): a success without seq or task: \(result.text)")
                return
            }
            let change = Change(
                type: type,
                taskID: task.id,
                version: task.version,
                title: task["title"]?.stringValue ?? "",
                actorID: actorID
            )
            if let earlier = changes[seq] {
                Issue.record("\(label): seq \(seq) was already answered for \(earlier.type) of \(earlier.taskID)")
            }
            changes[seq] = change
            if type == "task.updated" { updates[change.taskID, default: 0] += 1 }
            if (titles[change.taskID]?.seq ?? 0) < seq { titles[change.taskID] = (seq, change.title) }
        }
    }

    @Test func manyHostsWritingOneFileKeepTheLogWithoutGaps() throws {
        let world = try TestWorld(userNames: (0..<Self.hostCount).map { "writer\($0)" })
        let hosts = try world.users.map { try world.host(as: $0) }
        let project = world.projectID
        var ledger = Ledger()

        var shared: [String] = []
        for index in 0..<Self.sharedTaskCount {
            let result = try hosts[0].call(
                "task.create",
                ["projectId": .string(project), "title": .string("shared \(index)")]
            )
            ledger.record(result, type: "task.created", actorID: world.users[0].id, label: "setup")
            shared.append(result["task"]!.id)
        }
        var own: [[String]] = []
        for (index, host) in hosts.enumerated() {
            var tasks: [String] = []
            for slot in 0..<Self.ownTasksPerHost {
                let result = try host.call(
                    "task.create",
                    ["projectId": .string(project), "title": .string("own \(index).\(slot)")]
                )
                ledger.record(result, type: "task.created", actorID: world.users[index].id, label: "setup")
                tasks.append(result["task"]!.id)
            }
            own.append(tasks)
        }

        // Every host pipelines all of its requests at once; sends only queue, so the four streams overlap.
        var sent: [[Sent]] = Array(repeating: [], count: Self.hostCount)
        var sendsPerTask: [String: Int64] = [:]
        for step in 0..<Self.requestsPerHost {
            for (index, host) in hosts.enumerated() {
                let title = "h\(index) s\(step)"
                let round = step / 3
                switch step % 3 {
                case 0:
                    let id = host.send("task.create", ["projectId": .string(project), "title": .string(title)])
                    sent[index].append(Sent(host: index, kind: .create, requestID: id, title: title))
                default:
                    let isOwn = step % 3 == 1
                    let task = isOwn ? own[index][round % Self.ownTasksPerHost] : shared[round % Self.sharedTaskCount]
                    let key = "\(index)/\(task)"
                    let expected = 1 + sendsPerTask[key, default: 0]
                    sendsPerTask[key] = expected
                    let id = host.send(
                        "task.update",
                        ["id": .string(task), "expectedVersion": .int(expected), "title": .string(title)]
                    )
                    sent[index].append(
                        Sent(
                            host: index,
                            kind: isOwn ? .ownUpdate : .sharedUpdate,
                            requestID: id,
                            title: title,
                            taskID: task,
                            expectedVersion: expected
                        )
                    )
                }
            }
        }

        var busy = 0
        var conflicts = 0
        for (index, host) in hosts.enumerated() {
            var chainBroken: Set<String> = []
            for request in sent[index] {
                switch try host.answer(to: request.requestID) {
                case .success(let result):
                    check(success: result, of: request, project: project)
                    let type = request.kind == .create ? "task.created" : "task.updated"
                    ledger.record(result, type: type, actorID: world.users[index].id, label: request.label)
                case .failure(let failure) where failure.code == TaskwireError.busy:
                    busy += 1
                    #expect(failure.data?["retryable"] == true, "\(request.label): \(failure)")
                    if request.kind == .ownUpdate { chainBroken.insert(request.taskID!) }
                case .failure(let failure) where failure.code == TaskwireError.conflict && request.kind != .create:
                    conflicts += 1
                    check(conflict: failure, of: request)
                    if request.kind == .ownUpdate {
                        #expect(
                            chainBroken.contains(request.taskID!),
                            "\(request.label): -32009 although only this host changes the task and none of its updates failed: \(failure)"
                        )
                    }
                case .failure(let failure):
                    Issue.record("\(request.label): unexpected error \(failure)\n\(host.process.stderrTail(lines: 20))")
                }
            }
        }
        let total = Self.hostCount * Self.requestsPerHost
        #expect(busy * 20 <= total, "\(busy) of \(total) requests were busy (-32010); that is not rare")
        #expect(conflicts > 0, "the shared tasks were meant to produce stale versions")

        let events = try hosts[1].allEvents(projectID: project)
        #expect(events.count == ledger.changes.count, "events in the log vs successful changes")
        for (offset, event) in events.enumerated() {
            let seq = event["seq"]?.int64Value ?? 0
            guard seq == Int64(offset + 1) else {
                Issue.record("event #\(offset + 1) of the log has seq \(seq): a gap or a duplicate")
                break
            }
            guard let change = ledger.changes[seq] else {
                Issue.record("event \(seq) (\(event.text)) matches no successful reply")
                continue
            }
            let task = event["data"]?["task"]
            #expect(event["type"]?.stringValue == change.type, "event \(seq)")
            #expect(event["projectId"]?.stringValue == project, "event \(seq)")
            #expect(event["actor"]?["id"]?.stringValue == change.actorID, "event \(seq)")
            #expect(task?.id == change.taskID, "event \(seq)")
            #expect(task?.version == change.version, "event \(seq)")
            #expect(task?["title"]?.stringValue == change.title, "event \(seq)")
        }

        // Run one after another, the hosts would switch writers `hostCount - 1` times in the whole log. (Each host
        // commits what one read of its pipe brings in one transaction, so the log interleaves in runs, not
        // request by request.)
        let switches = zip(events, events.dropFirst()).count { $0["actor"]?["id"] != $1["actor"]?["id"] }
        #expect(switches >= Self.hostCount, "the hosts' writes did not interleave (\(switches) switches)")

        let tasks = try hosts[2].allTasks(projectID: project)
        #expect(tasks.count == ledger.changes.values.count { $0.type == "task.created" })
        for task in tasks {
            let updates = ledger.updates[task.id, default: 0]
            #expect(task.version == 1 + updates, "task \(task.id): version vs 1 + its \(updates) successful updates")
            #expect(task["title"]?.stringValue == ledger.titles[task.id]?.title, "task \(task.id): title")
        }
    }

    private func check(success result: JSON, of request: Sent, project: String) {
        let task = result["task"]
        #expect(task?["projectId"]?.stringValue == project, "\(request.label)")
        #expect(task?["title"]?.stringValue == request.title, "\(request.label)")
        if let expected = request.expectedVersion {
            #expect(task?.id == request.taskID, "\(request.label)")
            #expect(task?.version == expected + 1, "\(request.label): version after the update")
        } else {
            #expect(task?.version == 1, "\(request.label): version of a new task")
        }
    }

    private func check(conflict failure: TaskwireError, of request: Sent) {
        let current = failure.data?["current"]
        let currentVersion = failure.data?["currentVersion"]?.int64Value
        #expect(currentVersion != nil, "\(request.label): \(failure)")
        #expect(currentVersion != request.expectedVersion, "\(request.label): conflict at the expected version")
        #expect(current?.id == request.taskID, "\(request.label): \(failure)")
        #expect(current?.version == currentVersion, "\(request.label): \(failure)")
    }

    @Test func racingUpdatesHaveExactlyOneWinnerPerVersion() throws {
        let world = try TestWorld(userNames: (0..<Self.hostCount).map { "racer\($0)" })
        let hosts = try world.users.map { try world.host(as: $0) }
        let created = try hosts[0].call("task.create", ["projectId": .string(world.projectID), "title": "raced"])
        let taskID = created["task"]!.id
        var busy = 0

        for version in 1...Self.racedVersions {
            for (index, host) in hosts.enumerated() {
                let read = try host.call("task.get", ["id": .string(taskID)])
                try #require(read["task"]?.version == version, "host \(index) reads version \(version) before the race")
            }
            var pending = Array(hosts.indices)
            var outcomes: [Int: Result<JSON, TaskwireError>] = [:]
            // A busy answer changed nothing, so the same request is sent again until it wins or loses.
            for _ in 0..<5 where !pending.isEmpty {
                let ids = pending.map { index in
                    hosts[index].send(
                        "task.update",
                        [
                            "id": .string(taskID), "expectedVersion": .int(version),
                            "title": .string("host \(index) v\(version)"),
                        ]
                    )
                }
                var stillBusy: [Int] = []
                for (index, id) in zip(pending, ids) {
                    let outcome = try hosts[index].answer(to: id)
                    if case .failure(let failure) = outcome, failure.code == TaskwireError.busy {
                        busy += 1
                        stillBusy.append(index)
                    } else {
                        outcomes[index] = outcome
                    }
                }
                pending = stillBusy
            }
            try #require(pending.isEmpty, "version \(version): hosts \(pending) stayed busy")

            let winners = outcomes.compactMap { index, outcome in
                if case .success(let result) = outcome { (index, result) } else { nil }
            }
            try #require(winners.count == 1, "version \(version): \(winners.count) winners: \(outcomes)")
            let (winner, result) = winners[0]
            let stored = result["task"]!
            #expect(stored.version == version + 1, "version \(version): the winner's task")
            #expect(stored["title"]?.stringValue == "host \(winner) v\(version)")
            for (index, outcome) in outcomes where index != winner {
                guard case .failure(let failure) = outcome else { continue }
                #expect(failure.code == TaskwireError.conflict, "version \(version), host \(index): \(failure)")
                #expect(failure.data?["currentVersion"]?.int64Value == version + 1, "version \(version), host \(index)")
                #expect(
                    failure.data?["current"] == stored,
                    "version \(version), host \(index): current vs the winner's"
                )
            }
        }

        let final = try hosts[3].call("task.get", ["id": .string(taskID)])
        #expect(final["task"]?.version == Self.racedVersions + 1)
        let events = try hosts[3].allEvents(projectID: world.projectID)
        #expect(events.map { $0["seq"]?.int64Value ?? 0 } == Array(1...(Self.racedVersions + 1)))
        #expect(
            events.dropFirst().map { $0["data"]?["task"]?.version ?? 0 } == Array(2...(Self.racedVersions + 1)),
            "one task.updated event per version, in order"
        )
        #expect(busy * 20 <= hosts.count * Int(Self.racedVersions), "\(busy) busy answers while racing")
    }
}
