public import TaskwireProtocol

/// A user as other users see them.
public struct UserRef: Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// An organization: it owns projects and has members.
public struct Organization: Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// A user's role in an organization.
public struct Membership: Sendable, Equatable {
    public var organizationID: String
    public var userID: String
    public var role: Role

    public init(organizationID: String, userID: String, role: Role) {
        self.organizationID = organizationID
        self.userID = userID
        self.role = role
    }
}

/// A project of an organization.
public struct Project: Sendable, Equatable {
    public var id: String
    public var organizationID: String
    public var name: String

    public init(id: String, organizationID: String, name: String) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
    }
}

/// A project together with the caller's role in its organization, as `project.list` shows it.
public struct ProjectWithRole: Sendable, Equatable {
    public var project: Project
    public var role: Role

    public init(project: Project, role: Role) {
        self.project = project
        self.role = role
    }
}

/// A task of a project. (Not `Task`, which would hide Swift's concurrency `Task`.)
public struct TaskItem: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var title: String
    public var description: String
    public var status: TaskStatus
    public var priority: TaskPriority
    public var assigneeID: String?
    /// A calendar date written `YYYY-MM-DD`.
    public var dueDate: String?
    public var labels: [String]
    /// The task's place in its column: tasks of one status are ordered by `(rank, id)`, compared bytewise.
    public var rank: String
    public var version: Int64
    public var createdBy: String
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: String,
        projectID: String,
        title: String,
        description: String,
        status: TaskStatus,
        priority: TaskPriority,
        assigneeID: String?,
        dueDate: String?,
        labels: [String],
        rank: String,
        version: Int64,
        createdBy: String,
        createdAt: String,
        updatedAt: String
    ) {
        self.id = id
        self.projectID = projectID
        self.title = title
        self.description = description
        self.status = status
        self.priority = priority
        self.assigneeID = assigneeID
        self.dueDate = dueDate
        self.labels = labels
        self.rank = rank
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A comment on a task.
public struct Comment: Sendable, Equatable {
    public var id: String
    public var taskID: String
    public var projectID: String
    public var authorID: String
    public var body: String
    public var version: Int64
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: String,
        taskID: String,
        projectID: String,
        authorID: String,
        body: String,
        version: Int64,
        createdAt: String,
        updatedAt: String
    ) {
        self.id = id
        self.taskID = taskID
        self.projectID = projectID
        self.authorID = authorID
        self.body = body
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An entity written under optimistic concurrency: what a conflict reports as the current state.
public enum VersionedEntity: Sendable, Equatable {
    case task(TaskItem)
    case comment(Comment)

    public var version: Int64 {
        switch self {
        case .task(let task): task.version
        case .comment(let comment): comment.version
        }
    }
}

/// A session in a project's room.
public struct PresenceEntry: Sendable, Equatable {
    public var sessionID: String
    public var user: UserRef
    public var joinedAt: String

    public init(sessionID: String, user: UserRef, joinedAt: String) {
        self.sessionID = sessionID
        self.user = user
        self.joinedAt = joinedAt
    }
}
