import Foundation
import TaskwireProtocol

/// `task.list` first page (limit 100) in projects seeded with many tasks, one request at a time.
struct ListingBenchmarks {
    let world: BenchWorld
    let scale: Scale
    let results: Results

    func run() throws(BenchError) {
        var projects: [(size: Int, id: String)] = []
        for size in scale.listSizes {
            let projectID: String
            do {
                projectID = try world.admin.addProject(organization: world.organizationID, name: "list-\(size)")
            } catch {
                throw BenchError("cannot add a project: \(error)")
            }
            log("seeding \(Format.grouped(size)) tasks with the sqlite3 command")
            try seed(projectID: projectID, count: size)
            projects.append((size, projectID))
        }
        let host = try world.hosts(1, relay: .redis, as: world.writer)[0]
        defer { finishAll([host]) }
        for (size, projectID) in projects { try firstPage(host, projectID: projectID, size: size) }
    }

    /// Writes `count` tasks and their `task.created` events in one transaction, as the host would have (same
    /// columns, same event shape), and advances the project's `last_seq` past them.
    private func seed(projectID: String, count: Int) throws(BenchError) {
        let user = world.writer
        let sql = """
            BEGIN IMMEDIATE;
            CREATE TEMP TABLE seed AS
              WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
              SELECT i,
                     printf('tsk_seed%s%012d', substr(\(literal(projectID)), -4), i) AS id,
                     'Seeded task ' || i AS title,
                     strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i / 1000.0, 'unixepoch') AS at,
                     (SELECT last_seq FROM projects WHERE id = \(literal(projectID))) + i AS seq
              FROM n;
            INSERT INTO tasks (id, project_id, title, description, status, priority, assignee_id, due_date, labels,
                               version, created_by, created_at, updated_at)
              SELECT id, \(literal(projectID)), title, '', 'todo', 'medium', NULL, NULL, '[]', 1,
                     \(literal(user.id)), at, at FROM seed;
            INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload)
              SELECT \(literal(projectID)), seq, 'task.created', \(literal(user.id)), 'ses_benchmarkseed', at,
                     json_object(
                       'projectId', \(literal(projectID)), 'seq', seq, 'type', 'task.created', 'at', at,
                       'actor', json_object('id', \(literal(user.id)), 'name', \(literal(user.name))),
                       'origin', json_object('sessionId', 'ses_benchmarkseed'),
                       'data', json_object('task', json_object(
                         'id', id, 'projectId', \(literal(projectID)), 'title', title, 'description', '',
                         'status', 'todo', 'priority', 'medium', 'assigneeId', NULL, 'dueDate', NULL,
                         'labels', json('[]'), 'version', 1, 'createdBy', \(literal(user.id)),
                         'createdAt', at, 'updatedAt', at)))
              FROM seed;
            UPDATE projects SET last_seq = last_seq + \(count) WHERE id = \(literal(projectID));
            COMMIT;
            """
        try world.sqlite3(sql)
    }

    private func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func firstPage(_ host: BenchHost, projectID: String, size: Int) throws(BenchError) {
        results.begin("task.list first page at \(Format.grouped(size)) tasks, \(scale.listSamples) requests")
        // A check, untimed: the page is full and points further.
        let page = try host.call("task.list", ["projectId": .string(projectID), "limit": 100])
        guard page["tasks"]?.arrayValue?.count == 100, page["nextCursor"]?.stringValue != nil else {
            throw BenchError("task.list did not return a full first page of 100 tasks with a next cursor")
        }
        let warmup = 20
        var samples: [UInt64] = []
        let timer = RequestTimer(host: host, seconds: 120)
        defer { timer.finish() }
        for id in 0..<(warmup + scale.listSamples) {
            let request = Requests.listTasks(id: id, projectID: projectID, limit: 100)
            let (sent, response) = try timer.roundTrip(id: id, request: request, what: "task.list")
            if let errorLine = response.errorLine { throw BenchError("task.list failed: \(errorLine)") }
            if id >= warmup { samples.append(response.arrival - sent) }
        }
        let summary = LatencySummary(nanoseconds: samples)!
        results.add(
            Figure(
                key: "task_list_\(size)",
                section: "Listing",
                label: "task.list first page (limit 100) at \(Format.grouped(size)) tasks",
                value: "p50 \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                details: ["tasks": .int(size), "latency": summary.json]
            )
        )
    }
}
