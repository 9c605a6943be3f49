public import TaskwireProtocol

/// The admin operations that see and undo (`taskwire admin NOUN list|show|remove|rename`, `member set-role`),
/// written once over ``AdminSQL`` for both backends. Every result is a JSON object (a listing is
/// `{NOUNs: [...]}`), which the command line prints as JSON or as an aligned table.
///
/// Users and organizations are named by name or id; projects by id, or by name within `--org` (or alone when the
/// name is unique); tokens by id. Removing a user or a member takes their sessions out of the affected rooms with
/// reason `revoked`, in the same transaction, so that live hosts tell them `project.revoked` and the others
/// `presence.left`.
extension AdminStorage {
    // MARK: Users

    public func listUsers() throws(StoreError) -> [JSONObject] {
        try adminTransaction { sql in
            try sql.rows(
                """
                SELECT u.id, u.name, u.email, u.created_at,
                       (SELECT count(*) FROM tokens t WHERE t.user_id = u.id),
                       (SELECT count(*) FROM memberships m WHERE m.user_id = u.id)
                FROM users u WHERE u.removed_at IS NULL ORDER BY u.name
                """,
                []
            ).map(Self.userSummary)
        }
    }

    public func showUser(_ user: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.user(sql, user)
            var shown = Self.userSummary(
                try sql.row(
                    """
                    SELECT u.id, u.name, u.email, u.created_at,
                           (SELECT count(*) FROM tokens t WHERE t.user_id = u.id),
                           (SELECT count(*) FROM memberships m WHERE m.user_id = u.id)
                    FROM users u WHERE u.id = $1
                    """,
                    [id]
                ) ?? []
            )
            shown["memberships"] = .array(
                try sql.rows(
                    """
                    SELECT o.id, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
                    WHERE m.user_id = $1 ORDER BY o.name
                    """,
                    [id]
                ).map { ["organizationId": .string($0[0]), "organization": .string($0[1]), "role": .string($0[2])] }
            )
            return shown
        }
    }

    /// Removes a user: their tokens stop working, their memberships end, their live sessions are revoked from
    /// every room. The user stays in the history (as creator, author, assignee, actor of events) under their
    /// name, which is not given to anyone else. The last owner of an organization cannot be removed.
    public func removeUser(_ user: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.user(sql, user)
            let name = try sql.value("SELECT name FROM users WHERE id = $1", [id]) ?? id
            for organization in try sql.rows(
                "SELECT organization_id FROM memberships WHERE user_id = $1 ORDER BY 1",
                [id]
            ) {
                try sql.lockMemberships(organizationID: organization[0] ?? "")
            }
            for organization in try sql.rows(
                "SELECT o.name, o.id FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 AND m.role = 'owner'",
                [id]
            ) where try Self.ownerCount(sql, organization[1] ?? "") == 1 {
                throw StoreError.refused(
                    "\(name) is the last owner of \(organization[0] ?? ""): make another member owner first"
                )
            }
            let revoked = try Self.revokeRooms(sql, userID: id, organizationID: nil)
            let tokens = try sql.execute("DELETE FROM tokens WHERE user_id = $1", [id])
            let memberships = try sql.execute("DELETE FROM memberships WHERE user_id = $1", [id])
            try sql.execute("UPDATE users SET removed_at = $2 WHERE id = $1", [id, Timestamp.now()])
            return [
                "removed": ["id": .string(id), "name": .string(name)],
                "tokens": .int(tokens), "memberships": .int(memberships), "sessionsRevoked": .int(revoked),
            ]
        }
    }

    public func renameUser(_ user: String, to newName: String) throws(StoreError) -> JSONObject {
        let newName = try Validation.name(newName, field: "name")
        return try adminTransaction { sql in
            let id = try Self.user(sql, user)
            guard try sql.value("SELECT id FROM users WHERE name = $1 AND id <> $2", [newName, id]) == nil else {
                throw StoreError.refused("a user named \(newName) already exists")
            }
            try sql.execute("UPDATE users SET name = $2 WHERE id = $1", [id, newName])
            return ["id": .string(id), "name": .string(newName)]
        }
    }

    // MARK: Organizations

    public func listOrganizations() throws(StoreError) -> [JSONObject] {
        try adminTransaction { sql in
            try sql.rows(Self.organizationQuery + " ORDER BY o.name", []).map(Self.organizationSummary)
        }
    }

    public func showOrganization(_ organization: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.organization(sql, organization)
            var shown = Self.organizationSummary(try sql.row(Self.organizationQuery + " WHERE o.id = $1", [id]) ?? [])
            shown["memberList"] = .array(try Self.members(sql, id).map(JSON.object))
            shown["projectList"] = .array(
                try sql.rows(Self.projectQuery + " AND p.organization_id = $1 ORDER BY p.name", [id]).map {
                    JSON.object(Self.projectSummary($0))
                }
            )
            return shown
        }
    }

    /// What removing an organization takes with it, without removing anything: for the question before `--yes`.
    public func organizationRemovalImpact(_ organization: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.organization(sql, organization)
            return try Self.contents(sql, projectsWhere: "organization_id = $1 AND deleted_at IS NULL", [id])
        }
    }

    public func removeOrganization(_ organization: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.organization(sql, organization)
            let name = try sql.value("SELECT name FROM organizations WHERE id = $1", [id]) ?? id
            var removed = try Self.contents(sql, projectsWhere: "organization_id = $1 AND deleted_at IS NULL", [id])
            removed["members"] = .int(
                try sql.count("SELECT count(*) FROM memberships WHERE organization_id = $1", [id])
            )
            for project in try sql.rows("SELECT id FROM projects WHERE organization_id = $1", [id]) {
                try Self.deleteProject(sql, project[0] ?? "")
            }
            try sql.execute("DELETE FROM memberships WHERE organization_id = $1", [id])
            try sql.execute("DELETE FROM organizations WHERE id = $1", [id])
            removed["removed"] = ["id": .string(id), "name": .string(name)]
            return removed
        }
    }

    public func renameOrganization(_ organization: String, to newName: String) throws(StoreError) -> JSONObject {
        let newName = try Validation.name(newName, field: "name")
        return try adminTransaction { sql in
            let id = try Self.organization(sql, organization)
            guard try sql.value("SELECT id FROM organizations WHERE name = $1 AND id <> $2", [newName, id]) == nil
            else { throw StoreError.refused("an organization named \(newName) already exists") }
            try sql.execute("UPDATE organizations SET name = $2 WHERE id = $1", [id, newName])
            return ["id": .string(id), "name": .string(newName)]
        }
    }

    // MARK: Members

    public func listMembers(organization: String) throws(StoreError) -> [JSONObject] {
        try adminTransaction { sql in try Self.members(sql, try Self.organization(sql, organization)) }
    }

    public func showMember(organization: String, user: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let organizationID = try Self.organization(sql, organization)
            let userID = try Self.user(sql, user)
            guard let member = try Self.members(sql, organizationID).first(where: { $0["userId"] == .string(userID) })
            else { throw StoreError.refused("\(user) is not a member of \(organization)") }
            return member
        }
    }

    /// Ends a membership; the member's sessions leave the organization's rooms (reason `revoked`). The last owner
    /// cannot be removed.
    public func removeMember(organization: String, user: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let organizationID = try Self.organization(sql, organization)
            let userID = try Self.user(sql, user)
            try sql.lockMemberships(organizationID: organizationID)
            let role = try Self.role(sql, organizationID, userID, named: (user, organization))
            if role == "owner", try Self.ownerCount(sql, organizationID) == 1 {
                throw StoreError.refused("cannot remove the last owner of \(organization)")
            }
            let revoked = try Self.revokeRooms(sql, userID: userID, organizationID: organizationID)
            try sql.execute(
                "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2",
                [organizationID, userID]
            )
            return [
                "organizationId": .string(organizationID), "userId": .string(userID), "role": .string(role),
                "sessionsRevoked": .int(revoked),
            ]
        }
    }

    /// Changes a member's role; the last owner is never demoted.
    public func setRole(organization: String, user: String, role: Role) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let organizationID = try Self.organization(sql, organization)
            let userID = try Self.user(sql, user)
            try sql.lockMemberships(organizationID: organizationID)
            let current = try Self.role(sql, organizationID, userID, named: (user, organization))
            if current == "owner", role != .owner, try Self.ownerCount(sql, organizationID) == 1 {
                throw StoreError.refused("cannot demote the last owner of \(organization)")
            }
            try sql.execute(
                "UPDATE memberships SET role = $3 WHERE organization_id = $1 AND user_id = $2",
                [organizationID, userID, role.rawValue]
            )
            return [
                "organizationId": .string(organizationID), "userId": .string(userID), "role": .string(role.rawValue),
            ]
        }
    }

    // MARK: Projects

    public func listProjects(organization: String?) throws(StoreError) -> [JSONObject] {
        try adminTransaction { sql in
            guard let organization else {
                return try sql.rows(Self.projectQuery + " ORDER BY o.name, p.name", []).map(Self.projectSummary)
            }
            let id = try Self.organization(sql, organization)
            return try sql.rows(Self.projectQuery + " AND p.organization_id = $1 ORDER BY p.name", [id]).map(
                Self.projectSummary
            )
        }
    }

    public func showProject(_ project: String, organization: String?) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.project(sql, project, organization: organization)
            return Self.projectSummary(try sql.row(Self.projectQuery + " AND p.id = $1", [id]) ?? [])
        }
    }

    public func projectRemovalImpact(_ project: String, organization: String?) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.project(sql, project, organization: organization)
            var contents = try Self.contents(sql, projectsWhere: "id = $1", [id])
            contents["projects"] = JSON?.none
            return contents
        }
    }

    /// Removes a project with its tasks and comments; its log ends with `project.deleted`, which the sessions in
    /// its room receive before they leave it, and the project reads as not found from then on.
    public func removeProject(_ project: String, organization: String?) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            let id = try Self.project(sql, project, organization: organization)
            let name = try sql.value("SELECT name FROM projects WHERE id = $1", [id]) ?? id
            var removed = try Self.contents(sql, projectsWhere: "id = $1", [id])
            removed["projects"] = JSON?.none
            try Self.tombstoneProject(sql, id)
            removed["removed"] = ["id": .string(id), "name": .string(name)]
            return removed
        }
    }

    public func renameProject(
        _ project: String,
        organization: String?,
        to newName: String
    ) throws(StoreError)
        -> JSONObject
    {
        let newName = try Validation.name(newName, field: "name")
        return try adminTransaction { sql in
            let id = try Self.project(sql, project, organization: organization)
            try sql.execute("UPDATE projects SET name = $2 WHERE id = $1", [id, newName])
            let organizationID = try sql.value("SELECT organization_id FROM projects WHERE id = $1", [id])
            try Self.appendAdminEvent(
                sql,
                projectID: id,
                type: .projectUpdated,
                data: [
                    "project": ["id": .string(id), "organizationId": .string(organizationID), "name": .string(newName)]
                ]
            )
            return Self.projectSummary(try sql.row(Self.projectQuery + " AND p.id = $1", [id]) ?? [])
        }
    }

    // MARK: Tokens

    public func listTokens(user: String?) throws(StoreError) -> [JSONObject] {
        try adminTransaction { sql in
            guard let user else {
                return try sql.rows(Self.tokenQuery + " ORDER BY u.name, t.created_at", []).map(Self.tokenSummary)
            }
            let id = try Self.user(sql, user)
            return try sql.rows(Self.tokenQuery + " WHERE t.user_id = $1 ORDER BY t.created_at", [id]).map(
                Self.tokenSummary
            )
        }
    }

    public func showToken(_ token: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            guard let row = try sql.row(Self.tokenQuery + " WHERE t.id = $1", [token]) else {
                throw StoreError.refused(
                    "no token \(token) (tokens are named by their id, as `admin token list` shows)"
                )
            }
            return Self.tokenSummary(row)
        }
    }

    /// Removes a token by its id: it no longer authenticates.
    public func removeToken(_ token: String) throws(StoreError) -> JSONObject {
        try adminTransaction { sql in
            guard let row = try sql.row(Self.tokenQuery + " WHERE t.id = $1", [token]) else {
                throw StoreError.refused(
                    "no token \(token) (tokens are named by their id, as `admin token list` shows)"
                )
            }
            try sql.execute("DELETE FROM tokens WHERE id = $1", [token])
            return ["removed": .object(Self.tokenSummary(row))]
        }
    }
}

extension AdminStorage {
    /// A project's id from its id or name (within `organization` when given).
    public func projectID(_ project: String, organization: String?) throws(StoreError) -> String {
        try adminTransaction { sql in try Self.project(sql, project, organization: organization) }
    }
}
