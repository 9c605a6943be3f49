import TaskwireProtocol

// The queries and lookups shared by the admin operations.
extension AdminStorage {
    static var organizationQuery: String {
        """
        SELECT o.id, o.name, o.created_at,
               (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id),
               (SELECT count(*) FROM projects p WHERE p.organization_id = o.id AND p.deleted_at IS NULL)
        FROM organizations o
        """
    }

    static var projectQuery: String {
        """
        SELECT p.id, p.name, p.organization_id, o.name, p.created_at,
               (SELECT count(*) FROM tasks t WHERE t.project_id = p.id), p.last_seq
        FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.deleted_at IS NULL
        """
    }

    static var tokenQuery: String {
        "SELECT t.id, t.user_id, u.name, t.created_at, t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id"
    }

    static func userSummary(_ row: [String?]) -> JSONObject {
        [
            "id": .string(row[0]), "name": .string(row[1]), "email": .string(row[2]), "createdAt": .string(row[3]),
            "tokens": .int(Int(row[4] ?? "0") ?? 0), "organizations": .int(Int(row[5] ?? "0") ?? 0),
        ]
    }

    static func organizationSummary(_ row: [String?]) -> JSONObject {
        [
            "id": .string(row[0]), "name": .string(row[1]), "createdAt": .string(row[2]),
            "members": .int(Int(row[3] ?? "0") ?? 0), "projects": .int(Int(row[4] ?? "0") ?? 0),
        ]
    }

    static func projectSummary(_ row: [String?]) -> JSONObject {
        [
            "id": .string(row[0]), "name": .string(row[1]), "organizationId": .string(row[2]),
            "organization": .string(row[3]), "createdAt": .string(row[4]), "tasks": .int(Int(row[5] ?? "0") ?? 0),
            "lastSeq": .int(Int(row[6] ?? "0") ?? 0),
        ]
    }

    static func tokenSummary(_ row: [String?]) -> JSONObject {
        [
            "id": .string(row[0]), "userId": .string(row[1]), "user": .string(row[2]), "createdAt": .string(row[3]),
            "lastUsedAt": .string(row[4]),
        ]
    }

    static func members(_ sql: any AdminSQL, _ organizationID: String) throws -> [JSONObject] {
        try sql.rows(
            """
            SELECT m.user_id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = $1 ORDER BY u.name
            """,
            [organizationID]
        ).map {
            [
                "organizationId": .string(organizationID), "userId": .string($0[0]), "name": .string($0[1]),
                "role": .string($0[2]),
            ]
        }
    }

    /// A user's id from their id or name (the id wins when a name equals another user's id); removed users are
    /// not found.
    package static func user(_ sql: any AdminSQL, _ nameOrID: String) throws -> String {
        // The id of a removed user names nobody: it never falls through to another user's name.
        if let removed = try sql.row("SELECT removed_at FROM users WHERE id = $1", [nameOrID]), removed[0] != nil {
            throw StoreError.refused("user \(nameOrID) was removed")
        }
        guard
            let id = try sql.value(
                "SELECT id FROM users WHERE (id = $1 OR name = $1) AND removed_at IS NULL ORDER BY (id = $1) DESC LIMIT 1",
                [nameOrID]
            )
        else { throw StoreError.refused("no user \(nameOrID)") }
        return id
    }

    package static func organization(_ sql: any AdminSQL, _ nameOrID: String) throws -> String {
        guard
            let id = try sql.value(
                "SELECT id FROM organizations WHERE id = $1 OR name = $1 ORDER BY (id = $1) DESC LIMIT 1",
                [nameOrID]
            )
        else { throw StoreError.refused("no organization \(nameOrID)") }
        return id
    }

    /// A project's id from its id, or from its name within `organization` (or anywhere, when only one project
    /// has that name).
    static func project(_ sql: any AdminSQL, _ nameOrID: String, organization: String?) throws -> String {
        let organizationID = try organization.map { try Self.organization(sql, $0) }
        if let id = try sql.value(
            "SELECT id FROM projects WHERE id = $1 AND deleted_at IS NULL AND (CAST($2 AS TEXT) IS NULL OR organization_id = $2)",
            [nameOrID, organizationID]
        ) {
            return id
        }
        let matches: [[String?]]
        if let organizationID {
            matches = try sql.rows(
                "SELECT id FROM projects WHERE name = $1 AND organization_id = $2 AND deleted_at IS NULL",
                [nameOrID, organizationID]
            )
        } else {
            matches = try sql.rows("SELECT id FROM projects WHERE name = $1 AND deleted_at IS NULL", [nameOrID])
        }
        guard let first = matches.first?[0] else { throw StoreError.refused("no project \(nameOrID)") }
        guard matches.count == 1 else {
            throw StoreError.refused(
                organizationID == nil
                    ? "\(matches.count) projects are named \(nameOrID): give --org or the project's id"
                    : "\(matches.count) projects of that organization are named \(nameOrID): give the project's id"
            )
        }
        return first
    }

    static func role(
        _ sql: any AdminSQL,
        _ organizationID: String,
        _ userID: String,
        named: (String, String)
    ) throws
        -> String
    {
        guard
            let role = try sql.value(
                "SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2",
                [organizationID, userID]
            )
        else { throw StoreError.refused("\(named.0) is not a member of \(named.1)") }
        return role
    }

    static func ownerCount(_ sql: any AdminSQL, _ organizationID: String) throws -> Int {
        try sql.count(
            "SELECT count(*) FROM memberships WHERE organization_id = $1 AND role = 'owner'",
            [organizationID]
        )
    }

    /// How much the projects matching `condition` hold.
    static func contents(
        _ sql: any AdminSQL,
        projectsWhere condition: String,
        _ arguments: [String?]
    ) throws
        -> JSONObject
    {
        let projects = "(SELECT id FROM projects WHERE \(condition))"
        return [
            "projects": .int(try sql.count("SELECT count(*) FROM projects WHERE \(condition)", arguments)),
            "tasks": .int(try sql.count("SELECT count(*) FROM tasks WHERE project_id IN \(projects)", arguments)),
            "comments": .int(try sql.count("SELECT count(*) FROM comments WHERE project_id IN \(projects)", arguments)),
            "events": .int(try sql.count("SELECT count(*) FROM events WHERE project_id IN \(projects)", arguments)),
        ]
    }

    /// Appends an event made by `taskwire admin` to a project's log, with the project's next `seq`; hosts deliver
    /// it like any other. Its actor and origin say it came from the admin command line.
    static func appendAdminEvent(_ sql: any AdminSQL, projectID: String, type: EventType, data: JSON) throws {
        guard
            let seqText = try sql.value(
                "UPDATE projects SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
                [projectID]
            ),
            let seq = Int64(seqText)
        else { throw StoreError.refused("no project \(projectID)") }
        let at = Timestamp.now()
        let event: JSON = [
            "projectId": .string(projectID), "seq": .int(seq), "type": .string(type.rawValue), "at": .string(at),
            "actor": ["id": "admin", "name": "taskwire admin"], "origin": ["sessionId": "admin"], "data": data,
        ]
        try sql.execute(
            """
            INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload)
            VALUES ($1, $2, $3, 'admin', 'admin', $4, $5)
            """,
            [projectID, String(seq), type.rawValue, at, event.text]
        )
    }

    /// Removes a project's content and closes its log with a `project.deleted` event: the project then reads as
    /// not found everywhere, and the sessions in its room are told `project.deleted` and leave it.
    static func tombstoneProject(_ sql: any AdminSQL, _ projectID: String) throws {
        try sql.execute("DELETE FROM comments WHERE project_id = $1", [projectID])
        try sql.execute("DELETE FROM tasks WHERE project_id = $1", [projectID])
        try appendAdminEvent(sql, projectID: projectID, type: .projectDeleted, data: ["projectId": .string(projectID)])
        try sql.execute("UPDATE projects SET deleted_at = $2 WHERE id = $1", [projectID, Timestamp.now()])
    }

    /// Deletes a project and everything in it; the sessions in its room leave it with reason `revoked`.
    static func deleteProject(_ sql: any AdminSQL, _ projectID: String) throws {
        for member in try sql.rows("SELECT session_id FROM room_members WHERE project_id = $1", [projectID]) {
            try leave(sql, sessionID: member[0] ?? "", projectID: projectID)
        }
        try sql.execute("DELETE FROM comments WHERE project_id = $1", [projectID])
        try sql.execute("DELETE FROM tasks WHERE project_id = $1", [projectID])
        try sql.execute("DELETE FROM events WHERE project_id = $1", [projectID])
        try sql.execute("DELETE FROM projects WHERE id = $1", [projectID])
    }

    /// Takes a user's sessions out of the rooms of an organization's projects (of every project when nil), with
    /// reason `revoked`; returns how many room memberships ended.
    static func revokeRooms(_ sql: any AdminSQL, userID: String, organizationID: String?) throws -> Int {
        let rooms: [[String?]]
        if let organizationID {
            rooms = try sql.rows(
                """
                SELECT r.session_id, r.project_id FROM room_members r JOIN projects p ON p.id = r.project_id
                WHERE r.user_id = $1 AND p.organization_id = $2
                """,
                [userID, organizationID]
            )
        } else {
            rooms = try sql.rows("SELECT session_id, project_id FROM room_members WHERE user_id = $1", [userID])
        }
        for room in rooms { try leave(sql, sessionID: room[0] ?? "", projectID: room[1] ?? "") }
        return rooms.count
    }

    /// One session leaves one room with reason `revoked`, recorded as a presence change that every host reads.
    static func leave(_ sql: any AdminSQL, sessionID: String, projectID: String) throws {
        guard
            let member = try sql.row(
                """
                SELECT r.user_id, u.name FROM room_members r JOIN users u ON u.id = r.user_id
                WHERE r.project_id = $1 AND r.session_id = $2
                """,
                [projectID, sessionID]
            )
        else { return }
        try sql.execute("DELETE FROM room_members WHERE project_id = $1 AND session_id = $2", [projectID, sessionID])
        try sql.recordRevocation(
            projectID: projectID,
            sessionID: sessionID,
            user: UserRef(id: member[0] ?? "", name: member[1] ?? "")
        )
    }
}

extension AdminStorage {
    /// Where the presence log and the given projects' event logs stand now: what an admin command adds after this
    /// is what it has to tell the hosts of.
    public func logMarks(projects: [String]) throws(StoreError) -> (presence: Int64, seqs: [String: Int64]) {
        try adminTransaction { sql in
            let presence = Int64(try sql.value("SELECT coalesce(max(id), 0) FROM presence_events", []) ?? "0") ?? 0
            var seqs: [String: Int64] = [:]
            for project in projects {
                if let seq = try sql.value("SELECT last_seq FROM projects WHERE id = $1", [project]) {
                    seqs[project] = Int64(seq) ?? 0
                }
            }
            return (presence, seqs)
        }
    }
}
