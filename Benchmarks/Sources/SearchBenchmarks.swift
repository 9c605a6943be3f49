import Foundation
import TaskwireProtocol

/// `task.search` over 100,000 tasks (four projects, titles, descriptions and labels of realistic words), one
/// request at a time: a selective word, a prefix and a phrase, across every project the user can see.
struct SearchBenchmarks {
    let world: BenchWorld
    let scale: Scale
    let results: Results

    /// The tasks seeded, spread over this many projects.
    private static let taskCount = 100_000
    private static let projectCount = 4

    /// What is searched: a word in 10 tasks, a prefix of words put in 1% of them, a prefix of common words (the
    /// worst case: every match is scored) and a phrase of two common words. `seeded` tells whether a task's text
    /// matches, to count the matches as the figure's label states them.
    private static let queries: [(key: String, query: String, what: String, seeded: @Sendable (String) -> Bool)] = [
        ("word", "zephyrine", "a selective word", { $0.contains("zephyrine") }),
        ("prefix", "deprecat*", "a prefix", { $0.contains("deprecat") }),
        ("prefix_common", "migrat*", "a prefix of common words", { $0.contains("migrat") }),
        ("phrase", #""login timeout""#, "a phrase", { $0.contains("login timeout") }),
    ]

    func run() throws(BenchError) {
        var projectIDs: [String] = []
        for index in 0..<Self.projectCount {
            do {
                projectIDs.append(
                    try world.admin.addProject(organization: world.organizationID, name: "search-\(index)")
                )
            } catch {
                throw BenchError("cannot add a project: \(error)")
            }
        }
        log("seeding \(Format.grouped(Self.taskCount)) tasks to search with the sqlite3 command")
        let counts = try seed(projectIDs: projectIDs)
        let host = try world.hosts(1, relay: .redis, as: world.writer)[0]
        defer { finishAll([host]) }
        for (query, count) in zip(Self.queries, counts) { try measure(host, query, matching: count) }
    }

    /// Writes the tasks in one transaction through the sqlite3 command; the database's own triggers note them for the
    /// index, which the host's first write (its session, at `initialize`) brings up to date, as for any write made
    /// outside a host. (No events: searching does not read the log.) Returns how many tasks each
    /// query matches.
    private func seed(projectIDs: [String]) throws(BenchError) -> [Int] {
        var random = SplitMix64(seed: 15)
        var counts = Self.queries.map { _ in 0 }
        var sql = "BEGIN IMMEDIATE;\n"
        for index in 0..<Self.taskCount {
            var title = SearchWords.sentence(&random, words: 4...8)
            var description = SearchWords.sentence(&random, words: 15...40)
            if index % 200 == 7 { title += " login timeout" }
            if index % 10_000 == 13 { description += " zephyrine" }
            if index % 100 == 42 { description += [" deprecate", " deprecated", " deprecation"][index % 3] }
            let text = title + " " + description
            for (position, query) in Self.queries.enumerated() where query.seeded(text) { counts[position] += 1 }
            let labels = JSON.array(SearchWords.labels(&random).map(JSON.string)).text
            let at = String(format: "2026-01-01T00:00:%06.3fZ", Double(index % 60_000) / 1000)
            sql += """
                INSERT INTO tasks (id, project_id, title, description, status, priority, assignee_id, due_date, labels, \
                version, created_by, created_at, updated_at) VALUES (\(literal(String(format: "tsk_search%010d", index))), \
                \(literal(projectIDs[index % projectIDs.count])), \(literal(title)), \(literal(description)), 'todo', \
                'medium', NULL, NULL, \(literal(labels)), 1, \(literal(world.writer.id)), '\(at)', '\(at)');

                """
        }
        sql += "COMMIT;\n"
        let file = world.database.directory + "/search-seed.sql"
        guard FileManager.default.createFile(atPath: file, contents: Data(sql.utf8)) else {
            throw BenchError("cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        try world.sqlite3(".read \(file)")
        return counts
    }

    private func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func measure(
        _ host: BenchHost,
        _ query: (key: String, query: String, what: String, seeded: @Sendable (String) -> Bool),
        matching: Int
    ) throws(BenchError) {
        let label =
            "task.search, \(query.what) (\(Format.grouped(matching)) of \(Format.grouped(Self.taskCount)) tasks)"
        results.begin("\(label), \(scale.listSamples) requests")
        // A check, untimed: the search finds what was seeded.
        let page = try host.call("task.search", ["query": .string(query.query), "limit": 20])
        let found = page["results"]?.arrayValue?.count ?? 0
        guard found == min(matching, 20) else {
            throw BenchError("task.search \(query.query) found \(found) tasks")
        }
        let warmup = 20
        var samples: [UInt64] = []
        let timer = RequestTimer(host: host, seconds: 120)
        defer { timer.finish() }
        for id in 0..<(warmup + scale.listSamples) {
            let request = Requests.searchTasks(id: id, query: query.query, limit: 20)
            let (sent, response) = try timer.roundTrip(id: id, request: request, what: "task.search")
            if let errorLine = response.errorLine { throw BenchError("task.search failed: \(errorLine)") }
            if id >= warmup { samples.append(response.arrival - sent) }
        }
        let summary = LatencySummary(nanoseconds: samples)!
        results.add(
            Figure(
                key: "task_search_\(query.key)",
                section: "Search",
                label: label,
                value: "p50 \(Format.duration(summary.p50)), p99 \(Format.duration(summary.p99))",
                details: [
                    "tasks": .int(Self.taskCount), "matching": .int(matching), "query": .string(query.query),
                    "latency": summary.json,
                ]
            )
        )
    }
}

/// Words of a team's tasks, the first ones most frequent (roughly as in real text).
enum SearchWords {
    private static let vocabulary = """
        the fix add update remove when user page error test login api build release a to of in for on with and \
        check data form button server client session cache timeout request response config deploy migrate \
        migration database query index search report export import upload download email notification message \
        dashboard settings profile account password token permission role team project task board column card \
        comment label filter sort list view layout style mobile desktop browser network slow crash bug feature \
        refactor cleanup docs review design spec draft plan budget invoice payment customer order cart checkout \
        price discount shipping address country language translation locale timezone calendar schedule reminder \
        sync offline retry queue worker job cron log metric alert monitor trace latency memory cpu disk backup \
        restore upgrade downgrade version dependency package library framework plugin theme icon font color image \
        video audio file folder share link preview thumbnail editor toolbar shortcut keyboard mouse touch gesture \
        scroll zoom resize modal dialog tooltip dropdown checkbox radio slider toggle tab menu sidebar header footer
        """.split(separator: " ").map(String.init)
    private static let labelWords = ["bug", "feature", "backend", "frontend", "ux", "infra", "docs", "security"]

    static func sentence(_ random: inout SplitMix64, words: ClosedRange<Int>) -> String {
        let count = words.lowerBound + Int(random.next() % UInt64(words.count))
        return (0..<count).map { _ in
            let unit = Double(random.next() % 1_000_000) / 1_000_000
            return vocabulary[Int(Double(vocabulary.count) * unit * unit)]
        }.joined(separator: " ")
    }

    static func labels(_ random: inout SplitMix64) -> [String] {
        (0..<Int(random.next() % 3)).map { _ in labelWords[Int(random.next() % UInt64(labelWords.count))] }
    }
}

/// A small, seedable generator, so that every run searches the same tasks.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
