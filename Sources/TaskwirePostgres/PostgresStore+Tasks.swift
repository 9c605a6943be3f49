public import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    public func createTask(actor: ActingSession, _ task: NewTask) throws(StoreError) -> ChangeResult<TaskItem> {
        let task = try Validation.newTask(task)
        return try write { connection in
            let (organizationID, _) = try Self.projectAccess(
                connection,
                projectID: task.projectID,
                userID: actor.user.id,
                lock: true
            )
            if let assignee = task.assigneeID { try Self.checkAssignee(connection, organizationID, assignee) }
            let status = task.status ?? .todo
            try Self.lockColumns(connection, projectID: task.projectID)
            let column = PostgresColumn(
                connection: connection,
                projectID: task.projectID,
                status: status,
                movingID: nil
            )
            let placement = try ColumnPlacement.bottom(in: column)
            let respaced = try Self.respace(
                connection,
                placement,
                projectID: task.projectID,
                status: status,
                actor: actor
            )
            let now = Timestamp.now()
            let row = try connection.row(
                """
                INSERT INTO tasks (\(TaskRow.columns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13) RETURNING \(TaskRow.columns)
                """,
                [
                    Identifiers.make("tsk"), task.projectID, task.title, task.description ?? "",
                    status.rawValue, (task.priority ?? .medium).rawValue, task.assigneeID, task.dueDate,
                    TaskRow.labelsText(task.labels ?? []),
                    actor.user.id, now, now, placement.rank,
                ]
            )!
            let created = try TaskRow.task(row)
            let text = created.encodedJSON
            let event = try Self.appendEvent(
                connection,
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
        try readOne { connection in try Self.visibleTask(connection, id: id, userID: user.id).task }
    }

    public func updateTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        patch: TaskPatch
    ) throws(StoreError) -> ChangeResult<TaskItem> {
        let patch = try Validation.patch(patch)
        return try write { connection in
            let (current, organizationID) = try Self.visibleTask(connection, id: id, userID: actor.user.id, lock: true)
            if case .value(let assignee) = patch.assigneeID {
                // Before the update, whose foreign key would refuse an unknown user as a storage failure. A stale
                // write reports its conflict first; the update below still checks the version itself.
                guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
                try Self.checkAssignee(connection, organizationID, assignee)
            }
            var assignments: [String] = []
            var values: [String?] = []
            func set(_ column: String, _ value: String?) {
                values.append(value)
                assignments.append("\(column) = $\(values.count)")
            }
            if let title = patch.title { set("title", title) }
            if let description = patch.description { set("description", description) }
            if let priority = patch.priority { set("priority", priority.rawValue) }
            switch patch.assigneeID {
            case .absent: break
            case .null: set("assignee_id", nil)
            case .value(let value): set("assignee_id", value)
            }
            switch patch.dueDate {
            case .absent: break
            case .null: set("due_date", nil)
            case .value(let value): set("due_date", value)
            }
            if let labels = patch.labels { set("labels", TaskRow.labelsText(labels)) }
            let updated = try Self.bumpTask(connection, id: id, expectedVersion, assignments: assignments, values)
            let text = updated.encodedJSON
            let event = try Self.appendEvent(
                connection,
                projectID: current.projectID,
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
        try write { connection in
            let (current, _) = try Self.visibleTask(connection, id: id, userID: actor.user.id, lock: true)
            // The event's `from` is the status read here; it is the status at `expectedVersion` only when the read
            // found that version, and the update below then proves nothing changed in between.
            guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
            // A new column puts the task at its bottom; the same status keeps its place.
            var placement = Placement(rank: current.rank, respaced: [])
            if status != current.status {
                try Self.lockColumns(connection, projectID: current.projectID)
                let column = PostgresColumn(
                    connection: connection,
                    projectID: current.projectID,
                    status: status,
                    movingID: id
                )
                placement = try ColumnPlacement.bottom(in: column)
            }
            let (updated, respaced) = try Self.relocate(
                connection,
                current,
                expectedVersion,
                status,
                placement,
                actor: actor
            )
            let text = updated.encodedJSON
            let event = try Self.appendEvent(
                connection,
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
        try write { connection in
            let (current, _) = try Self.visibleTask(connection, id: id, userID: actor.user.id, lock: true)
            guard current.version == expectedVersion else { throw StoreError.conflict(current: .task(current)) }
            try Self.lockColumns(connection, projectID: current.projectID)
            let status = move.status ?? current.status
            let column = PostgresColumn(
                connection: connection,
                projectID: current.projectID,
                status: status,
                movingID: id
            )
            let placement = try ColumnPlacement.move(
                status == current.status ? RankedCard(id: id, rank: current.rank) : nil,
                projectID: current.projectID,
                status: status,
                afterID: move.afterID,
                beforeID: move.beforeID,
                movingID: id,
                in: column
            )
            let (moved, respaced) = try Self.relocate(
                connection,
                current,
                expectedVersion,
                status,
                placement,
                actor: actor
            )
            let text = moved.encodedJSON
            let event = try Self.appendEvent(
                connection,
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
        try write { connection in
            _ = try Self.visibleTask(connection, id: id, userID: actor.user.id, lock: true)
            guard
                let row = try connection.row(
                    "DELETE FROM tasks WHERE id = $1 AND version = $2 RETURNING \(TaskRow.columns)",
                    [id, String(expectedVersion)]
                )
            else { throw try Self.taskConflict(connection, id: id) }
            let deleted = try TaskRow.task(row)
            let event = try Self.appendEvent(
                connection,
                projectID: deleted.projectID,
                type: .taskDeleted,
                actor: actor,
                data: ["taskId": .string(id)]
            )
            return ChangeResult(entity: deleted, event: event)
        }
    }

    /// A task and its organization, when the user can see it; otherwise not found.
    ///
    /// With `lock`, the user's membership is held until the transaction ends; the task row is not locked here:
    /// versioned writes check their version in the writing statement.
    static func visibleTask(
        _ connection: PostgresConnection,
        id: String,
        userID: String,
        lock: Bool = false
    ) throws -> (task: TaskItem, organizationID: String) {
        let row = try connection.row(
            """
            SELECT \(TaskRow.qualifiedColumns), p.organization_id FROM tasks t
            JOIN projects p ON p.id = t.project_id
            JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
            WHERE t.id = $2
            """ + (lock ? " FOR SHARE OF m" : ""),
            [userID, id]
        )
        guard let row else { throw StoreError.notFound("Task") }
        return (try TaskRow.task(row), row.text(TaskRow.count))
    }

    /// Refuses an assignee outside the organization; a member is held until the transaction ends.
    static func checkAssignee(_ connection: PostgresConnection, _ organizationID: String, _ assigneeID: String) throws {
        guard try role(connection, organizationID: organizationID, userID: assigneeID, lock: true) != nil else {
            throw StoreError.invalid("assigneeId", "not a member of the project's organization")
        }
    }

    /// Applies assignments to the task if it is still at `expectedVersion`; returns the task as stored now.
    ///
    /// The assignments are written with `$1 … $n` for `values`; the version is incremented and the time stamped.
    /// The version is checked by the update itself rather than by an earlier read, so that a stale write can never
    /// be applied whatever the isolation of the transaction: a concurrent update that committed first makes this
    /// one change no row.
    static func bumpTask(
        _ connection: PostgresConnection,
        id: String,
        _ expectedVersion: Int64,
        assignments: [String],
        _ values: [String?]
    ) throws -> TaskItem {
        let next = values.count
        let sql = """
            UPDATE tasks SET \((assignments + ["version = version + 1", "updated_at = $\(next + 1)"]).joined(separator: ", "))
            WHERE id = $\(next + 2) AND version = $\(next + 3) RETURNING \(TaskRow.columns)
            """
        // RETURNING yields no row exactly when the update changed none.
        guard let row = try connection.row(sql, values + [Timestamp.now(), id, String(expectedVersion)]) else {
            throw try taskConflict(connection, id: id)
        }
        return try TaskRow.task(row)
    }

    /// Why a versioned write of a task changed nothing: it is at another version now, or it is gone.
    static func taskConflict(_ connection: PostgresConnection, id: String) throws -> StoreError {
        guard let row = try connection.row("SELECT \(TaskRow.columns) FROM tasks WHERE id = $1", [id]) else {
            return .notFound("Task")
        }
        return .conflict(current: .task(try TaskRow.task(row)))
    }
}
