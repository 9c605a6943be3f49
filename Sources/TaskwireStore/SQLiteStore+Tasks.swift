import GRDB
public import TaskwireProtocol

extension SQLiteStore {
    public func createTask(actor: ActingSession, _ task: NewTask) throws(StoreError) -> ChangeResult<TaskItem> {
        let task = try Validation.newTask(task)
        return try write(notingSearch: true) { db in
            let (organizationID, _) = try Self.projectAccess(db, projectID: task.projectID, userID: actor.user.id)
            if let assignee = task.assigneeID { try Self.checkAssignee(db, organizationID, assignee) }
            let status = task.status ?? .todo
            let column = SQLiteColumn(db: db, projectID: task.projectID, status: status, movingID: nil)
            let placement = try ColumnPlacement.bottom(in: column)
            let respaced = try Self.respace(db, placement, projectID: task.projectID, status: status, actor: actor)
            let now = Timestamp.now()
            let id = Identifiers.make("tsk")
            try db.cachedStatement(
                sql: """
                    INSERT INTO tasks (\(TaskRecord.columns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, task.projectID, task.title, task.description ?? "",
                status.rawValue, (task.priority ?? .medium).rawValue, task.assigneeID, task.dueDate,
                TaskRecord.labelsText(task.labels ?? []),
                actor.user.id, now, now, placement.rank,
            ])
            guard let created = try Self.storedTask(db, id: id) else { throw StoreError.failure("task not stored") }
            let text = created.encodedJSON
            let event = try Self.appendEvent(
                db,
                projectID: task.projectID,
                type: .taskCreated,
                actor: actor,
                at: created.updatedAt,
                data: ["task": .encoded(text)]
            )
            let preceding = respaced.map { [$0] } ?? []
            return ChangeResult(entity: created, event: event, precedingEvents: preceding, encodedEntity: text)
        }
    }

    public func task(user: UserRef, id: String) throws(StoreError) -> TaskItem {
        try read { db in try Self.visibleTask(db, id: id, userID: user.id).task }
    }

    public func updateTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        patch: TaskPatch
    ) throws(StoreError) -> ChangeResult<TaskItem> {
        let patch = try Validation.patch(patch)
        return try write(notingSearch: true) { db in
            // The update itself checks that the user can see the task, unless it was read here already.
            var visibleTo: String? = actor.user.id
            if case .value(let assignee) = patch.assigneeID {
                // Before the update, whose foreign key would refuse an unknown user as a storage failure. A stale
                // write reports its conflict first; the update below still checks the version itself.
                let (current, organizationID) = try Self.visibleTask(db, id: id, userID: actor.user.id)
                guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
                try Self.checkAssignee(db, organizationID, assignee)
                visibleTo = nil
            }
            var assignments: [TaskAssignment] = []
            if let title = patch.title { assignments.append(.init(.title, .text(title))) }
            if let description = patch.description { assignments.append(.init(.description, .text(description))) }
            if let priority = patch.priority { assignments.append(.init(.priority, .text(priority.rawValue))) }
            switch patch.assigneeID {
            case .absent: break
            case .null: assignments.append(.init(.assigneeID, .null))
            case .value(let value): assignments.append(.init(.assigneeID, .text(value)))
            }
            switch patch.dueDate {
            case .absent: break
            case .null: assignments.append(.init(.dueDate, .null))
            case .value(let value): assignments.append(.init(.dueDate, .text(value)))
            }
            if let labels = patch.labels { assignments.append(.init(.labels, .text(TaskRecord.labelsText(labels)))) }
            let updated = try Self.bumpTask(
                db,
                id: id,
                expectedVersion,
                assignments: assignments,
                visibleTo: visibleTo
            )
            let text = updated.encodedJSON
            let event = try Self.appendEvent(
                db,
                projectID: updated.projectID,
                type: .taskUpdated,
                actor: actor,
                at: updated.updatedAt,
                data: .object(JSONObject(members: [.init("task", .encoded(text))]))
            )
            return ChangeResult(entity: updated, event: event, encodedEntity: text)
        }
    }

    public func setTaskStatus(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        status: TaskStatus
    ) throws(StoreError) -> ChangeResult<TaskItem> {
        try write { db in
            let (current, _) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            // The event's `from` is the status read here; it is the status at `expectedVersion` only when the read
            // found that version, and the update below then proves nothing changed in between.
            guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
            // A new column puts the task at its bottom; the same status keeps its place.
            var placement = Placement(rank: current.rank, respaced: [])
            if status != current.status {
                let column = SQLiteColumn(db: db, projectID: current.projectID, status: status, movingID: id)
                placement = try ColumnPlacement.bottom(in: column)
            }
            let (updated, respaced) = try Self.relocate(db, current, expectedVersion, status, placement, actor: actor)
            let text = updated.encodedJSON
            let event = try Self.appendEvent(
                db,
                projectID: current.projectID,
                type: .taskStatusChanged,
                actor: actor,
                at: updated.updatedAt,
                data: [
                    "task": .encoded(text), "from": .string(current.status.rawValue), "to": .string(status.rawValue),
                ]
            )
            return ChangeResult(entity: updated, event: event, precedingEvents: respaced, encodedEntity: text)
        }
    }

    public func moveTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        move: TaskMove
    ) throws(StoreError) -> ChangeResult<TaskItem> {
        try write { db in
            let (current, _) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
            let status = move.status ?? current.status
            let column = SQLiteColumn(db: db, projectID: current.projectID, status: status, movingID: id)
            let placement = try ColumnPlacement.move(
                status == current.status ? RankedCard(id: id, rank: current.rank) : nil,
                projectID: current.projectID,
                status: status,
                afterID: move.afterID,
                beforeID: move.beforeID,
                movingID: id,
                in: column
            )
            let (moved, respaced) = try Self.relocate(db, current, expectedVersion, status, placement, actor: actor)
            let text = moved.encodedJSON
            let event = try Self.appendEvent(
                db,
                projectID: current.projectID,
                type: .taskMoved,
                actor: actor,
                at: moved.updatedAt,
                data: ColumnPlacement.movedData(moved, text, from: current)
            )
            return ChangeResult(entity: moved, event: event, precedingEvents: respaced, encodedEntity: text)
        }
    }

    public func deleteTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64
    ) throws(StoreError) -> ChangeResult<TaskItem> {
        try write(notingSearch: true) { db in
            // The task as read here is the one deleted: the delete matched its version in the same transaction.
            let (deleted, _) = try Self.visibleTask(db, id: id, userID: actor.user.id)
            try db.cachedStatement(sql: "DELETE FROM tasks WHERE id = ? AND version = ?")
                .execute(arguments: [id, expectedVersion])
            guard db.changesCount == 1 else { throw try Self.taskConflict(db, id: id) }
            let event = try Self.appendEvent(
                db,
                projectID: deleted.projectID,
                type: .taskDeleted,
                actor: actor,
                data: ["taskId": .string(id)]
            )
            return ChangeResult(entity: deleted, event: event)
        }
    }

    /// A task and its organization, when the user can see it; otherwise not found.
    static func visibleTask(
        _ db: Database,
        id: String,
        userID: String
    ) throws -> (task: TaskItem, organizationID: String) {
        let found = try firstRow(
            db.cachedStatement(
                sql: """
                    SELECT t.*, p.organization_id AS organization_id FROM tasks t
                    JOIN projects p ON p.id = t.project_id
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    WHERE t.id = ?
                    """
            ),
            arguments: [userID, id]
        ) { row in (try TaskRecord.task(row), row["organization_id"] as String) }
        guard let found else { throw StoreError.notFound("Task") }
        return found
    }

    static func checkAssignee(_ db: Database, _ organizationID: String, _ assigneeID: String) throws {
        guard try role(db, organizationID: organizationID, userID: assigneeID) != nil else {
            throw StoreError.invalid("assigneeId", "not a member of the project's organization")
        }
    }

    /// Applies assignments to the task if it is still at `expectedVersion`, increments the version and stamps the
    /// time; returns the task as stored now.
    ///
    /// The version is checked by the update itself rather than by an earlier read, so that a stale write can never
    /// be applied whatever the isolation of the transaction.
    static func bumpTask(
        _ db: Database,
        id: String,
        _ expectedVersion: Int64,
        assignments: [TaskAssignment],
        visibleTo userID: String? = nil
    ) throws -> TaskItem {
        let assignments = assignments.sorted { $0.column.rawValue < $1.column.rawValue }
        // The row is read back by a SELECT, not `RETURNING` (see `appendEvent`). The update changed one row or none:
        // `changes` counts the statement's own rows, not those of its triggers.
        let sql = TaskAssignment.updateSQL(assignments.map(\.column), checksAccess: userID != nil)
        var update = try HotStatement(db, sql)
        var index: Int32 = 0
        func next() -> Int32 {
            index += 1
            return index
        }
        for assignment in assignments { update.bind(next(), assignment.value) }
        update.bind(next(), Timestamp.now())
        update.bind(next(), id)
        update.bind(next(), expectedVersion)
        if let userID { update.bind(next(), userID) }
        try update.run()
        guard update.changes == 1 else {
            // Not found when the user cannot see it (checked here when the update checked it), else a conflict.
            if let userID { _ = try visibleTask(db, id: id, userID: userID) }
            throw try taskConflict(db, id: id)
        }
        guard let task = try storedTask(db, id: id) else { throw StoreError.notFound("Task") }
        return task
    }

    static let storedTaskSQL = HotSQL("SELECT \(TaskRecord.columns) FROM tasks WHERE id = ?")

    /// A task as stored now, without an access check: the row a write just made or changed, read back.
    static func storedTask(_ db: Database, id: String) throws -> TaskItem? {
        var read = try HotStatement(db, storedTaskSQL)
        defer { read.finish() }
        read.bind(1, id)
        return try read.step() ? try TaskRecord.task(read) : nil
    }

    /// Why a versioned write of a task changed nothing: it is at another version now, or it is gone.
    static func taskConflict(_ db: Database, id: String) throws -> StoreError {
        guard let task = try storedTask(db, id: id) else { return .notFound("Task") }
        return .conflict(current: .task(task))
    }

    /// The first row of a statement, decoded where it lies: `Row.fetchOne` copies every column of the row first.
    static func firstRow<T>(
        _ statement: Statement,
        arguments: StatementArguments,
        _ decode: (Row) throws -> T
    ) throws -> T? {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        return try rows.next().map(decode)
    }
}
