import TaskwireSync

/// A value bound straight to a statement of the hot path (``HotStatement``).
enum HotValue {
    case text(String)
    case null
}

/// A column that a versioned write of a task sets, and its new value.
///
/// The `UPDATE` of such a write depends only on which columns it sets (and whether it checks the user's access), so
/// its text is made once per combination and kept, and its values are bound by position: building the text and a
/// `StatementArguments` list of existentials for every write cost about a twentieth of a pipelined `task.update`.
struct TaskAssignment {
    /// In the order of the statement's `SET` list.
    enum Column: Int, CaseIterable {
        case title, description, priority, assigneeID, dueDate, labels, status, rank

        var name: String {
            switch self {
            case .title: "title"
            case .description: "description"
            case .priority: "priority"
            case .assigneeID: "assignee_id"
            case .dueDate: "due_date"
            case .labels: "labels"
            case .status: "status"
            case .rank: "rank"
            }
        }
    }

    let column: Column
    let value: HotValue

    init(_ column: Column, _ value: HotValue) {
        self.column = column
        self.value = value
    }

    private static let statements = Locked<[Int: HotSQL]>([:])

    /// `UPDATE tasks SET <columns> = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, then
    /// `AND` the user's membership of the task's organization when `checksAccess`. The text depends only on which
    /// columns are set, each at most once, and lists them in ``Column`` order, the order their values are bound in.
    static func updateSQL(_ columns: [Column], checksAccess: Bool) -> HotSQL {
        assert(Set(columns).count == columns.count, "a column set twice")
        var key = checksAccess ? 1 << Column.allCases.count : 0
        for column in columns { key |= 1 << column.rawValue }
        if let known = statements.withLock({ $0[key] }) { return known }
        let set = Column.allCases.filter { key & (1 << $0.rawValue) != 0 }
        var sql = """
            UPDATE tasks SET \((set.map { "\($0.name) = ?" } + ["version = version + 1", "updated_at = ?"])
                .joined(separator: ", "))
            WHERE id = ? AND version = ?
            """
        if checksAccess {
            sql += """
                 AND EXISTS (SELECT 1 FROM projects p JOIN memberships m ON m.organization_id = p.organization_id
                WHERE p.id = tasks.project_id AND m.user_id = ?)
                """
        }
        return statements.withLock { known in
            if let made = known[key] { return made }  // by another thread meanwhile: one slot per text
            let made = HotSQL(sql)
            known[key] = made
            return made
        }
    }
}
