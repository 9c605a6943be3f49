import GRDB
public import TaskwireProtocol

/// The fields of `task.create`, already checked for shape.
public struct NewTask: Sendable {
    public var projectID: String
    public var title: String
    public var description: String?
    public var status: String?
    public var priority: String?
    public var assigneeID: String?
    public var dueDate: String?
    public var labels: [String]?

    public init(projectID: String, title: String) {
        self.projectID = projectID
        self.title = title
    }
}

/// The fields of `task.update`; absent fields are left as they are.
public struct TaskEdit: Sendable {
    public var title: String?
    public var description: String?
    public var priority: String?
    public var assigneeID: FieldUpdate<String> = .absent
    public var dueDate: FieldUpdate<String> = .absent
    public var labels: [String]?

    public init() {}

    public var isEmpty: Bool {
        title == nil && description == nil && priority == nil && assigneeID.isAbsent && dueDate.isAbsent
            && labels == nil
    }
}

extension Store {
    public func createTask(actor: ActingSession, _ task: NewTask) throws(StoreError) -> Change {
        let title = try Validation.title(task.title)
        let description = try Validation.description(task.description ?? "")
        let labels = try Validation.labels(task.labels ?? [])
        let dueDate = try task.dueDate.map { (text) throws(StoreError) in try Validation.dueDate(text) }
        return try write { db in
            let (organizationID, _) = try Self.projectAccess(db, projectID: task.projectID, userID: actor.user.id)
            if let assignee = task.assigneeID { try Self.checkAssignee(db, organizationID, assignee) }
            let id = Identifiers.make("tsk")
            let now = Timestamp.now()
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO tasks (\(TaskRecord.columns))
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING \(TaskRecord.columns)
                        """
                ),
                arguments: [
                    id, task.projectID, title, description, task.status ?? TaskStatus.todo.rawValue,
                    task.priority ?? TaskPriority.medium.rawValue, task.assigneeID, dueDate,
                    TaskRecord.labelsText(labels), actor.user.id, now, now,
                ]
            )!
            let json = TaskRecord.json(row)
            let event = try Self.appendEvent(
                db,
                projectID: task.projectID,
                type: "task.created",
                actor: actor,
                data: ["task": json]
            )
            return Change(result: ["task": json, "seq": .int(event.seq)], event: event)
        }
    }

    public func getTask(user: UserRef, id: String) throws(StoreError) -> JSON {
        try read { db in ["task": TaskRecord.json(try Self.visibleTask(db, id: id, userID: user.id).row)] }
    }

    public func updateTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        edit: TaskEdit
    ) throws(StoreError) -> Change {
        let title = try edit.title.map { (text) throws(StoreError) in try Validation.title(text) }
        let description = try edit.description.map { (text) throws(StoreError) in try Validation.description(text) }
        let labels = try edit.labels.map { (list) throws(StoreError) in try Validation.labels(list) }
        var dueDate = edit.dueDate
        if case .value(let text) = dueDate { dueDate = .value(try Validation.dueDate(text)) }
        return try write { db in
            let (row, organizationID) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            try Self.checkVersion(row, expectedVersion)
            if case .value(let assignee) = edit.assigneeID { try Self.checkAssignee(db, organizationID, assignee) }
            var assignments: [String] = []
            var arguments: StatementArguments = []
            func set(_ column: String, _ value: (any DatabaseValueConvertible)?) {
                assignments.append("\(column) = ?")
                arguments += [value]
            }
            if let title { set("title", title) }
            if let description { set("description", description) }
            if let priority = edit.priority { set("priority", priority) }
            switch edit.assigneeID {
            case .absent: break
            case .null: set("assignee_id", nil)
            case .value(let value): set("assignee_id", value)
            }
            switch dueDate {
            case .absent: break
            case .null: set("due_date", nil)
            case .value(let value): set("due_date", value)
            }
            if let labels { set("labels", TaskRecord.labelsText(labels)) }
            let updated = try Self.bumpTask(db, id: id, assignments: assignments, arguments: arguments)
            let event = try Self.appendEvent(
                db,
                projectID: row[1],
                type: "task.updated",
                actor: actor,
                data: ["task": updated]
            )
            return Change(result: ["task": updated, "seq": .int(event.seq)], event: event)
        }
    }

    public func setTaskStatus(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        status: String
    ) throws(StoreError) -> Change {
        try write { db in
            let (row, _) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            try Self.checkVersion(row, expectedVersion)
            let from: String = row[4]
            let updated = try Self.bumpTask(db, id: id, assignments: ["status = ?"], arguments: [status])
            let event = try Self.appendEvent(
                db,
                projectID: row[1],
                type: "task.statusChanged",
                actor: actor,
                data: ["task": updated, "from": .string(from), "to": .string(status)]
            )
            return Change(result: ["task": updated, "seq": .int(event.seq)], event: event)
        }
    }

    public func deleteTask(actor: ActingSession, id: String, expectedVersion: Int64) throws(StoreError) -> Change {
        try write { db in
            let (row, _) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            try Self.checkVersion(row, expectedVersion)
            try db.cachedStatement(sql: "DELETE FROM tasks WHERE id = ?").execute(arguments: [id])
            let event = try Self.appendEvent(
                db,
                projectID: row[1],
                type: "task.deleted",
                actor: actor,
                data: ["taskId": .string(id)]
            )
            return Change(result: ["id": .string(id), "seq": .int(event.seq)], event: event)
        }
    }

    /// A task row and its organization, when the user can see it; otherwise not found.
    static func visibleTask(_ db: Database, id: String, userID: String) throws -> (row: Row, organizationID: String) {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT t.*, p.organization_id AS organization_id FROM tasks t
                    JOIN projects p ON p.id = t.project_id
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    WHERE t.id = ?
                    """
            ),
            arguments: [userID, id]
        )
        guard let row else { throw StoreError.notFound("Task") }
        return (row, row[13])
    }

    static func checkVersion(_ row: Row, _ expected: Int64) throws {
        let version: Int64 = row[9]
        guard version == expected else {
            throw StoreError.conflict(version: version, current: TaskRecord.json(row))
        }
    }

    static func checkAssignee(_ db: Database, _ organizationID: String, _ assigneeID: String) throws {
        guard try role(db, organizationID: organizationID, userID: assigneeID) != nil else {
            throw StoreError.invalid("assigneeId", "not a member of the project's organization")
        }
    }

    /// Applies assignments, increments the version and stamps the time; returns the task as stored now.
    static func bumpTask(
        _ db: Database,
        id: String,
        assignments: [String],
        arguments: StatementArguments
    ) throws -> JSON {
        let sql = """
            UPDATE tasks SET \((assignments + ["version = version + 1", "updated_at = ?"]).joined(separator: ", "))
            WHERE id = ? RETURNING \(TaskRecord.columns)
            """
        let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments + [Timestamp.now(), id])!
        return TaskRecord.json(row)
    }
}
