import ArgumentParser
import Foundation
import TaskwireClient
import TaskwireProtocol

/// `taskwire demo`: two users, two host processes, one room, shown as a readable transcript.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show two hosts sharing a project live: a task, a comment, a version conflict and presence.",
        discussion: "Example: taskwire demo --redis redis://127.0.0.1:6379"
    )

    @Option(help: "A Redis relay URL to use instead of the local relay.") var redis: String?
    @Option(
        help: """
            Run on this database instead of a fresh SQLite file: a file path or a postgres:// URL. It must have no \
            users named alice or bob and no organization named Acme.
            """
    )
    var db: String?

    func run() throws {
        let binary = CommandLine.executablePath
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskwire-demo-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = db ?? directory.appendingPathComponent("demo.sqlite").path
        let admin = AdminCommand(binary: binary, database: database)

        say(db == nil ? "Setting up a fresh database at \(database)" : "Setting up the demo in the given database")
        let alice = try admin.addUser("alice")
        let bob = try admin.addUser("bob")
        let organization = try admin.addOrganization("Acme", owner: "alice")
        try admin.addMember(organization: organization, user: "bob", role: "member")
        let project = try admin.addProject(organization: organization, name: "Website")
        say("  users alice and bob, organization Acme, project Website (\(project))")

        var arguments = ["--db", database]
        if let redis { arguments += ["--redis", redis] }
        let hostA = try TaskwireConnection.serve(binary: binary, arguments: arguments)
        let hostB = try TaskwireConnection.serve(binary: binary, arguments: arguments)
        say("\nTwo hosts started as child processes (pids \(hostA.process.pid) and \(hostB.process.pid)).")
        let relay = try hostA.initialize(token: alice.token, clientName: "taskwire demo").relay
        try hostB.initialize(token: bob.token, clientName: "taskwire demo")
        say("alice and bob are initialized; relay: \(relay)")

        try hostA.join(projectID: project)
        say("\nalice  → project.join Website")
        let joined = try hostB.join(projectID: project)
        let names = joined.presence.compactMap { $0["user"]?["name"]?.stringValue }
        say("bob    → project.join Website; in the room: \(names.joined(separator: ", "))")
        let arrival = try hostA.nextNotification("presence.joined")
        say("alice  ⇐ presence.joined: \(arrival["user"]?["name"]?.stringValue ?? "?") is here")

        let created = try hostA.createTask(
            projectID: project,
            title: "Write the launch post",
            fields: ["priority": "high"]
        )
        let task = created.entity
        let taskID = task["id"]?.stringValue ?? ""
        say("\nalice  → task.create \"Write the launch post\" → version \(task["version"]!), seq \(created.seq)")
        let seen = try hostB.nextNotification("task.created")
        say(
            "bob    ⇐ task.created \"\(seen["data"]?["task"]?["title"]?.stringValue ?? "")\" by \(actor(seen)) (seq \(seen["seq"]!))"
        )

        let comment = try hostB.createComment(taskID: taskID, body: "I can review it tomorrow.")
        say("\nbob    → comment.create → seq \(comment.seq)")
        let commented = try hostA.nextNotification("comment.created")
        say(
            "alice  ⇐ comment.created by \(actor(commented)): \"\(commented["data"]?["comment"]?["body"]?.stringValue ?? "")\""
        )

        let moved = try hostB.setStatus(taskID: taskID, expectedVersion: 1, status: "in_progress")
        say("\nbob    → task.setStatus in_progress (expectedVersion 1) → version \(moved.entity["version"]!)")
        let changed = try hostA.nextNotification("task.statusChanged")
        say(
            "alice  ⇐ task.statusChanged \(changed["data"]?["from"]?.stringValue ?? "") → \(changed["data"]?["to"]?.stringValue ?? "")"
        )
        do {
            _ = try hostA.updateTask(id: taskID, expectedVersion: 1, fields: ["title": "Write the launch blog post"])
            say("alice  → task.update unexpectedly succeeded")
        } catch let failure as TaskwireError {
            let current = failure.data?["currentVersion"]?.text ?? "?"
            say(
                "alice  → task.update with the stale expectedVersion 1 → error \(failure.code ?? 0) (conflict); current version \(current)"
            )
            let retried = try hostA.updateTask(
                id: taskID,
                expectedVersion: failure.data?["currentVersion"]?.int64Value ?? 2,
                fields: ["title": "Write the launch blog post"]
            )
            say("alice  → task.update retried with expectedVersion \(current) → version \(retried.entity["version"]!)")
            let updated = try hostB.nextNotification("task.updated")
            say("bob    ⇐ task.updated \"\(updated["data"]?["task"]?["title"]?.stringValue ?? "")\"")
        }

        let second = try hostB.createTask(projectID: project, title: "Fix the signup form")
        let secondID = second.entity["id"]?.stringValue ?? ""
        say("\nbob    → task.create \"Fix the signup form\" → rank \(second.entity["rank"]?.stringValue ?? "") in todo")
        _ = try hostA.nextNotification("task.created")
        let placed = try hostA.moveTask(id: secondID, expectedVersion: 1, status: "in_progress", beforeID: taskID)
        say(
            "alice  → task.move it to in_progress, before \"Write the launch blog post\" → rank \(placed.entity["rank"]?.stringValue ?? "")"
        )
        let seenMove = try hostB.nextNotification("task.moved")
        let from = seenMove["data"]?["from"]?["status"]?.stringValue ?? ""
        let to = seenMove["data"]?["to"]?["status"]?.stringValue ?? ""
        say(
            "bob    ⇐ task.moved \"\(seenMove["data"]?["task"]?["title"]?.stringValue ?? "")\" \(from) → \(to), top of the column"
        )
        let board = try hostB.call("task.list", ["projectId": .string(project), "order": "board"])
        let cards = (board["tasks"]?.arrayValue ?? []).map {
            "\($0["status"]?.stringValue ?? ""): \($0["title"]?.stringValue ?? "")"
        }
        say("bob    → task.list order board → \(cards.joined(separator: " | "))")

        let found = try hostB.call("task.search", ["projectId": .string(project), "query": "launch blog*"])
        let hits = found["results"]?.arrayValue ?? []
        say(
            "bob    → task.search \"launch blog*\" → \(hits.count) result: \(hits.first?["snippet"]?.stringValue ?? "nothing")"
        )

        hostB.close()
        say("\nbob's editor closes (end of input)")
        let left = try hostA.nextNotification("presence.left")
        say(
            "alice  ⇐ presence.left: \(left["user"]?["name"]?.stringValue ?? "?") (\(left["reason"]?.stringValue ?? ""))"
        )
        hostA.close()
        say("\nDone. Every change above is also in the project's event log (events.list).")
    }

    private func actor(_ event: JSON) -> String { event["actor"]?["name"]?.stringValue ?? "?" }

    private func say(_ line: String) {
        print(line)
        fflush(nil)
    }
}
