import TaskwireProtocol
import TaskwireStore
import TaskwireTransport

extension MCPServer {
    /// Resources per page of `resources/list`.
    static let resourcePageSize = 100

    /// Projects first, then the tasks of each project in turn, ``resourcePageSize`` per page. A cursor names where
    /// to go on: `p|PROJECT` (the projects, from that one) or `t|PROJECT|CURSOR` (that project's tasks, from that
    /// `task.list` cursor), so pages stay right while tasks come and go.
    func listResources(_ exchange: Exchange) throws(ResponseError) -> JSON {
        let context = exchange.context
        let projects = try perform("project.list", [:], context: context)["projects"]?.arrayValue ?? []
        var index = 0
        var listingTasks = false
        var taskCursor: JSON = .null
        switch exchange.params["cursor"] {
        case nil, .null?:
            break
        case .string(let cursor)?:
            let parts = cursor.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, parts[0] == "p" || (parts[0] == "t" && parts.count == 3),
                let found = projects.firstIndex(where: { $0["id"]?.stringValue == parts[1] })
            else { throw ResponseError.invalidParams(field: "cursor", reason: "unknown cursor") }
            index = found
            listingTasks = parts[0] == "t"
            if listingTasks, !parts[2].isEmpty { taskCursor = .string(parts[2]) }
        default:
            throw ResponseError.invalidParams(field: "cursor", reason: "must be a string")
        }
        var resources: [JSON] = []
        func id(_ index: Int) -> String { projects[index]["id"]?.stringValue ?? "" }
        if !listingTasks {
            while index < projects.count {
                guard resources.count < Self.resourcePageSize else { return page(resources, next: "p|\(id(index))") }
                resources.append(projectResource(projects[index]))
                index += 1
            }
            index = 0
        }
        while index < projects.count {
            let room = Self.resourcePageSize - resources.count
            guard room > 0 else { return page(resources, next: "t|\(id(index))|") }
            var params: JSONObject = ["projectId": .string(id(index)), "limit": .int(room)]
            if !taskCursor.isNull { params["cursor"] = taskCursor }
            let tasks = try perform("task.list", params, context: context)
            resources += (tasks["tasks"]?.arrayValue ?? []).map(taskResource)
            if case .string(let next)? = tasks["nextCursor"] { return page(resources, next: "t|\(id(index))|\(next)") }
            taskCursor = .null
            index += 1
        }
        return page(resources, next: nil)
    }

    private func page(_ resources: [JSON], next: String?) -> JSON {
        var result: JSONObject = ["resources": .array(resources)]
        if let next { result["nextCursor"] = .string(next) }
        return .object(result)
    }

    private var hasTitles: Bool { version.withLock { $0 }?.hasTitlesAndStructuredOutput ?? true }

    private func projectResource(_ project: JSON) -> JSON {
        let id = project["id"]?.stringValue ?? ""
        let name = project["name"]?.stringValue ?? id
        var resource: JSONObject = ["uri": .string(ResourceURI.project(id).text), "name": .string(name)]
        if hasTitles { resource["title"] = .string("Board of \(name)") }
        resource["description"] = "The project's tasks by status, as JSON; subscribe to hear of every change."
        resource["mimeType"] = "application/json"
        return .object(resource)
    }

    private func taskResource(_ task: JSON) -> JSON {
        let id = task["id"]?.stringValue ?? ""
        let title = task["title"]?.stringValue ?? id
        var resource: JSONObject = ["uri": .string(ResourceURI.task(id).text), "name": .string(title)]
        if hasTitles { resource["title"] = .string(title) }
        let status = task["status"]?.stringValue ?? ""
        let priority = task["priority"]?.stringValue ?? ""
        resource["description"] = .string("A task (\(status), \(priority) priority) with its comments, as JSON.")
        resource["mimeType"] = "application/json"
        return .object(resource)
    }

    func listResourceTemplates(_ exchange: Exchange) throws(ResponseError) -> JSON {
        if let cursor = exchange.params["cursor"], !cursor.isNull {
            throw ResponseError.invalidParams(field: "cursor", reason: "unknown cursor")
        }
        func template(_ uri: String, _ name: String, _ title: String, _ description: String) -> JSON {
            var template: JSONObject = ["uriTemplate": .string(uri), "name": .string(name)]
            if hasTitles { template["title"] = .string(title) }
            template["description"] = .string(description)
            template["mimeType"] = "application/json"
            return .object(template)
        }
        return [
            "resourceTemplates": [
                template(
                    ResourceURI.projectPrefix + "{projectId}",
                    "project",
                    "Project board",
                    "A project's tasks by status."
                ),
                template(ResourceURI.taskPrefix + "{taskId}", "task", "Task", "A task with its comments."),
            ]
        ]
    }

    func readResource(_ exchange: Exchange) throws(ResponseError) -> JSON {
        let uri = try resourceURI(exchange)
        let content: JSON
        do throws(ResponseError) {
            switch uri {
            case .project(let id): content = try board(of: id, context: exchange.context)
            case .task(let id): content = try taskWithComments(id, context: exchange.context)
            }
        } catch  where error.code == .notFound {
            throw Self.resourceNotFound(uri.text)
        }
        return [
            "contents": [["uri": .string(uri.text), "mimeType": "application/json", "text": .string(content.text)]]
        ]
    }

    /// A project's board: its tasks in one column per status, in workflow order, each in rank order.
    private func board(of projectID: String, context: CallContext) throws(ResponseError) -> JSON {
        let projects = try perform("project.list", [:], context: context)["projects"]?.arrayValue ?? []
        guard let project = projects.first(where: { $0["id"]?.stringValue == projectID }) else {
            throw ResponseError.notFound("project")
        }
        var columns: [String: [JSON]] = [:]
        var cursor: JSON = .null
        repeat {
            var params: JSONObject = ["projectId": .string(projectID), "order": "board", "limit": 500]
            if !cursor.isNull { params["cursor"] = cursor }
            let page = try perform("task.list", params, context: context)
            for task in page["tasks"]?.arrayValue ?? [] {
                columns[task["status"]?.stringValue ?? "", default: []].append(task)
            }
            cursor = page["nextCursor"] ?? .null
        } while !cursor.isNull
        let ordered: [JSON] = TaskStatus.allCases.map { status in
            ["status": .string(status.rawValue), "tasks": .array(columns[status.rawValue] ?? [])]
        }
        return ["project": project, "columns": .array(ordered)]
    }

    /// A task with its comments: what `get_task` answers.
    private func taskWithComments(_ id: String, context: CallContext) throws(ResponseError) -> JSON {
        try ToolCatalog.getTask.run(toolCall(["id": .string(id)], context: context))
    }

    func subscribe(_ exchange: Exchange) throws(ResponseError) -> JSON {
        let uri = try resourceURI(exchange)
        let projectID: String
        do throws(ResponseError) {
            switch uri {
            case .project(let id):
                projectID = id
            case .task(let id):
                let task = try perform("task.get", ["id": .string(id)], context: exchange.context)
                projectID = task["task"]?["projectId"]?.stringValue ?? ""
            }
            if !subscriptions.state.withLock({ $0.rooms.contains(projectID) }) {
                _ = try perform("project.join", ["projectId": .string(projectID)], context: exchange.context)
            }
        } catch  where error.code == .notFound {
            throw Self.resourceNotFound(uri.text)
        }
        subscriptions.state.withLock { state in
            state.rooms.insert(projectID)
            switch uri {
            case .project(let id): state.projects.insert(id)
            case .task(let id): state.tasks[id] = projectID
            }
        }
        return [:]
    }

    /// Ends a subscription (one that does not exist is already ended); the room is left with the last one of
    /// its project.
    func unsubscribe(_ exchange: Exchange) throws(ResponseError) -> JSON {
        guard case .string(let text)? = exchange.params["uri"] else {
            throw ResponseError.invalidParams(field: "uri", reason: "required, a string")
        }
        guard let uri = ResourceURI(text) else { return [:] }
        let leave: String? = subscriptions.state.withLock { state in
            let projectID: String?
            switch uri {
            case .project(let id):
                projectID = state.projects.remove(id)
            case .task(let id):
                projectID = state.tasks.removeValue(forKey: id)
            }
            guard let projectID, !state.needsRoom(projectID), state.rooms.remove(projectID) != nil else { return nil }
            return projectID
        }
        if let leave { _ = try perform("project.leave", ["projectId": .string(leave)], context: exchange.context) }
        return [:]
    }

    private func resourceURI(_ exchange: Exchange) throws(ResponseError) -> ResourceURI {
        guard case .string(let text)? = exchange.params["uri"] else {
            throw ResponseError.invalidParams(field: "uri", reason: "required, a string")
        }
        guard let uri = ResourceURI(text) else { throw Self.resourceNotFound(text) }
        return uri
    }

    /// MCP's own error for a resource that does not exist (or that this user cannot see).
    static func resourceNotFound(_ uri: String) -> ResponseError {
        ResponseError(code: ErrorCode(rawValue: -32002), message: "Resource not found", data: ["uri": .string(uri)])
    }
}
