import TaskwireProtocol
import TaskwireStore
import Testing

/// Search: the same tasks, order, snippets, pages and access rules on every backend.
@Suite struct StoreContractSearchTests {
    private func search(
        _ world: StoreWorld,
        _ text: String,
        as actor: ActingSession? = nil,
        scope: SearchScope = SearchScope(),
        limit: Int64 = 100,
        cursor: String? = nil
    ) throws -> Page<SearchHit> {
        try world.store.searchTasks(
            user: (actor ?? world.bob).user,
            query: try SearchQuery(parsing: text),
            scope: scope,
            limit: limit,
            cursor: cursor
        )
    }

    private func create(
        _ world: StoreWorld,
        _ title: String,
        description: String = "",
        labels: [String] = [],
        status: TaskStatus? = nil,
        projectID: String? = nil
    ) throws -> TaskItem {
        var new = NewTask(projectID: projectID ?? world.projectID, title: title)
        new.description = description
        new.labels = labels
        new.status = status
        return try world.store.createTask(actor: world.alice, new).entity
    }

    @Test(arguments: Backend.allCases)
    func resultsAreRankedByFieldWithSnippets(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let inComment = try create(world, "Upgrade driver")
        _ = try world.store.createComment(actor: world.bob, taskID: inComment.id, body: "fixes the login bug")
        let inDescription = try create(world, "Refactor", description: "The login form waits")
        let inTitle = try create(world, "Login timeout")
        let inLabels = try create(world, "Rate limits", labels: ["login"])
        _ = try create(world, "Unrelated")
        let hits = try search(world, "LOGIN").items
        #expect(hits.map(\.task.id) == [inTitle.id, inLabels.id, inDescription.id, inComment.id])
        #expect(
            hits.map(\.snippet) == [
                "**Login** timeout", "**login**", "The **login** form waits", "fixes the **login** bug",
            ]
        )
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score > $1.score })
        #expect(hits[0].task == inTitle)
        #expect(try search(world, "login", scope: SearchScope(status: .done)).items.isEmpty)
        #expect(try search(world, #""timeout login""#).items.isEmpty)
        #expect(try search(world, #""login timeout""#).items.map(\.task.id) == [inTitle.id])
        #expect(try search(world, "driver fix*").items.map(\.task.id) == [inComment.id])
    }

    @Test(arguments: Backend.allCases)
    func pagesFollowTheRankingTiesByID(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var ids: [String] = []
        for index in 0..<7 { ids.append(try create(world, "Same words \(index)").id) }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try search(world, "same words", limit: 3, cursor: cursor)
            seen += page.items.map(\.task.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(pages == 3)
        #expect(seen == ids.sorted(), "equal scores, so by id")
        #expect(try search(world, "same", limit: 7).nextCursor == nil, "a last page that is full has no cursor")
        for bad in ["nope", "s1.", "s1.!!!", "s1.MA==", "s1.LTE=", "c1.bm8gYmFy"] {
            expectError(.invalid) { _ = try search(world, "same", cursor: bad) }
        }
    }

    @Test(arguments: Backend.allCases)
    func otherOrganizationsAreNeverSearchedNorCounted(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let mine = try create(world, "Merger plan", description: "merger")
        let before = try search(world, "merger").items
        let otherOrganization = try world.store.addOrganization(name: "Globex", owner: "carol")
        let otherProject = try world.store.addProject(organization: otherOrganization.name, name: "Ops")
        for index in 0..<5 {
            var new = NewTask(projectID: otherProject.id, title: "Merger \(index)")
            new.description = "merger merger"
            _ = try world.store.createTask(actor: world.carol, new)
        }
        let after = try search(world, "merger").items
        #expect(after.map(\.task.id) == [mine.id])
        #expect(after.map(\.score) == before.map(\.score), "other organizations' tasks change no score")
        expectError(.notFound) { _ = try search(world, "merger", scope: SearchScope(projectID: otherProject.id)) }
        expectError(.notFound) { _ = try search(world, "merger", scope: SearchScope(projectID: "prj_missing")) }
        expectError(.notFound) {
            _ = try search(world, "merger", as: world.carol, scope: SearchScope(projectID: world.projectID))
        }
        #expect(try search(world, "merger", as: world.carol).items.count == 5)
        #expect(try search(world, "merger", scope: SearchScope(projectID: world.projectID)).items.count == 1)
    }

    @Test(arguments: Backend.allCases)
    func theIndexFollowsEveryChange(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try create(world, "Budget")
        func found(_ text: String) throws -> Bool { try !search(world, text).items.isEmpty }
        let comment = try world.store.createComment(actor: world.bob, taskID: task.id, body: "auditors").entity
        #expect(try found("auditors"))
        _ = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "legal")
        #expect(try !found("auditors"))
        #expect(try found("legal budget"))
        _ = try world.store.deleteComment(actor: world.bob, id: comment.id)
        #expect(try !found("legal"))
        var patch = TaskPatch()
        patch.title = "Forecast"
        patch.labels = ["finance"]
        patch.description = "numbers"
        _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 1, patch: patch)
        #expect(try !found("budget"))
        #expect(try found("forecast finance numbers"))
        _ = try world.store.setTaskStatus(actor: world.alice, id: task.id, expectedVersion: 2, status: .done)
        #expect(try search(world, "forecast", scope: SearchScope(status: .done)).items.count == 1)
        _ = try world.store.createComment(actor: world.bob, taskID: task.id, body: "kept")
        _ = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 3)
        #expect(try !found("forecast"))
        #expect(try !found("kept"))
    }

    /// Words split the same way on both stores, whatever punctuation or script is around them.
    @Test(arguments: Backend.allCases)
    func punctuationSeparatesWordsAlike(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try create(
            world,
            "Mail bob@example.com about v1.2-beta — “naïve” façade…done",
            description: "path/to/file_name.swift https://example.org/x?y=1"
        )
        for query in [
            "example", "com", "bob", "v1 2 beta", #""v1 2 beta""#, "naïve", "façade", "done", "file name swift", "org",
            "y 1", "exam*", #""example com about""#,
        ] {
            #expect(try search(world, query).items.map(\.task.id) == [task.id], "\(query)")
        }
        #expect(try search(world, "naive").items.isEmpty, "diacritics are kept")
    }
}
