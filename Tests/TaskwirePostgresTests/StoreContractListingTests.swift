import TaskwireProtocol
import TaskwireStore
import Testing

/// Listings: order, filters, cursors and the event log are the same on every backend.
@Suite struct StoreContractListingTests {
    @Test(arguments: Backend.allCases)
    func pagesFollowTheirCursorToTheEnd(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var created: [TaskItem] = []
        for index in 0..<5 { created.append(try world.createTask("T\(index)")) }
        var seen: [TaskItem] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try world.store.listTasks(
                user: world.bob.user,
                projectID: world.projectID,
                filter: TaskFilter(),
                limit: 2,
                cursor: cursor
            )
            seen += page.items
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(pages == 3)
        let expected = created.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        #expect(seen == expected, "oldest first, ties by id")
        let full = try world.store.listTasks(
            user: world.bob.user,
            projectID: world.projectID,
            filter: TaskFilter(),
            limit: 5,
            cursor: nil
        )
        #expect(full.items == expected)
        #expect(full.nextCursor == nil, "a last page that is full has no cursor")
        for bad in ["nope", "c1.", "c1.!!!", "c1.bm8gYmFy"] {
            expectError(.invalid) {
                _ = try world.store.listTasks(
                    user: world.bob.user,
                    projectID: world.projectID,
                    filter: TaskFilter(),
                    limit: 2,
                    cursor: bad
                )
            }
        }
        expectError(.notFound) {
            _ = try world.store.listTasks(
                user: world.carol.user,
                projectID: world.projectID,
                filter: TaskFilter(),
                limit: 2,
                cursor: nil
            )
        }
        let events = try world.store.listEvents(user: world.bob.user, projectID: world.projectID, after: 3, limit: 10)
        #expect(events.events.map(\.seq) == [4, 5])
        #expect(events.nextAfter == 5)
        let none = try world.store.listEvents(user: world.bob.user, projectID: world.projectID, after: 9, limit: 10)
        #expect(none.events.isEmpty)
        #expect(none.nextAfter == 9)
        let limited = try world.store.listEvents(user: world.bob.user, projectID: world.projectID, after: 0, limit: 2)
        #expect(limited.events.map(\.seq) == [1, 2])
        expectError(.notFound) {
            _ = try world.store.listEvents(user: world.carol.user, projectID: world.projectID, after: 0, limit: 10)
        }
        expectError(.notFound) {
            _ = try world.store.listEvents(user: world.bob.user, projectID: "prj_missing", after: 0, limit: 10)
        }
        #expect(try world.store.events(projectID: world.projectID, after: 4, limit: 10).map(\.seq) == [5])
    }

    @Test(arguments: Backend.allCases)
    func filtersSelectByStatusAndAssignee(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var new = NewTask(projectID: world.projectID, title: "bob's")
        new.assigneeID = world.bob.user.id
        new.status = .inProgress
        let bobs = try world.store.createTask(actor: world.alice, new).entity
        new.assigneeID = world.alice.user.id
        new.status = .done
        let alices = try world.store.createTask(actor: world.alice, new).entity
        let nobodys = try world.createTask("nobody's")
        func list(_ change: (inout TaskFilter) -> Void) throws -> [String] {
            var filter = TaskFilter()
            change(&filter)
            return try world.store.listTasks(
                user: world.alice.user,
                projectID: world.projectID,
                filter: filter,
                limit: 100,
                cursor: nil
            ).items.map(\.id)
        }
        #expect(try list { $0.status = .inProgress } == [bobs.id])
        #expect(try list { $0.status = .inReview } == [])
        #expect(try list { $0.assigneeID = .value(world.alice.user.id) } == [alices.id])
        #expect(try list { $0.assigneeID = .null } == [nobodys.id])
        #expect(
            try list {
                $0.assigneeID = .value(world.bob.user.id)
                $0.status = .done
            } == []
        )
        #expect(try Set(list { _ in }) == [bobs.id, alices.id, nobodys.id])
    }

    @Test(arguments: Backend.allCases)
    func commentsAreListedOldestFirstInPages(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try world.createTask()
        var created: [TaskwireStore.Comment] = []
        for index in 0..<5 {
            created.append(try world.store.createComment(actor: world.bob, taskID: task.id, body: "c\(index)").entity)
        }
        var seen: [TaskwireStore.Comment] = []
        var cursor: String?
        repeat {
            let page = try world.store.listComments(user: world.alice.user, taskID: task.id, limit: 2, cursor: cursor)
            seen += page.items
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == created.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) })
        expectError(.invalid) {
            _ = try world.store.listComments(user: world.alice.user, taskID: task.id, limit: 2, cursor: "x")
        }
        expectError(.notFound) {
            _ = try world.store.listComments(user: world.carol.user, taskID: task.id, limit: 2, cursor: nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func projectsAreListedByNameWithTheCallersRole(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let other = try world.store.createProject(
            user: world.alice.user,
            organizationID: world.organizationID,
            name: " Apps "
        )
        #expect(other.name == "Apps")
        #expect(other.organizationID == world.organizationID)
        let projects = try world.store.listProjects(user: world.bob.user)
        #expect(projects.map(\.project.name) == ["Apps", "Web"])
        #expect(projects.map(\.role) == [.member, .member])
        #expect(try world.store.listProjects(user: world.carol.user).isEmpty)
        expectError(.forbidden) {
            _ = try world.store.createProject(user: world.bob.user, organizationID: world.organizationID, name: "X")
        }
        expectError(.notFound) {
            _ = try world.store.createProject(user: world.carol.user, organizationID: world.organizationID, name: "X")
        }
        let invalid = expectError(.invalid) {
            _ = try world.store.createProject(user: world.alice.user, organizationID: world.organizationID, name: " ")
        }
        #expect(invalid?.field == "name")
        #expect(try world.store.isMember(userID: world.bob.user.id, projectID: world.projectID))
        #expect(try !world.store.isMember(userID: world.carol.user.id, projectID: world.projectID))
        #expect(try !world.store.isMember(userID: world.bob.user.id, projectID: "prj_missing"))
    }
}
