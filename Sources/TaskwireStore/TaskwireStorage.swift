public import TaskwireCrypto
public import TaskwireProtocol

/// What the server needs from storage: every operation it calls, in domain values and ``StoreError``s.
///
/// A backend makes each change atomic together with its event and the project's next `seq`, so that the event
/// log and the data never disagree, and refuses a write whose expected version is stale whatever its isolation
/// level. Every user-facing read and write checks that the caller belongs to the entity's organization and reports
/// ``StoreError/Kind/notFound`` when not, so that outsiders learn nothing. ``SQLiteStore`` is the implementation.
public protocol TaskwireStorage: AnyObject, Sendable {
    /// A feed that tells when any host committed, for delivery without a relay (and as the relay's safety net);
    /// nil when the backend cannot watch. Called once per host, on the delivery thread that then owns the feed.
    func makeChangeFeed() -> (any ChangeFeed)?
    /// Stops the statements in progress, so that a host that must exit is not held by a lock.
    func interrupt()
    /// Which backend this is, as `initialize` reports it.
    var kind: StoreKind { get }
    /// A unique id of this database, generated when its schema was created; namespaces relay channels.
    var databaseID: String { get }
    /// The key that authenticates relay messages between the hosts of this database.
    var relayKey: SecretKey { get }
    /// Runs `body` (calls of one client, on the calling thread) in one transaction, and its reads see its writes. A
    /// call that fails is undone alone: when it changed nothing there is nothing to undo; when it failed after it
    /// wrote, the run is undone and `body` runs again, each call in a savepoint of its own, and only that run
    /// counts (`body` starts by dropping what a run before it left). Commits once the last run returns.
    /// ``GroupResult/unavailable`` when the backend does not group or the transaction could not begin: then `body`
    /// did not run.
    func runGrouped(_ body: () -> Void) -> GroupResult
    /// How long the store's deferred upkeep may still wait for a moment when the host's input is quiet, in
    /// milliseconds; zero when it is due now, nil when there is none (see ``SQLiteStore/upkeepDelayMilliseconds()``).
    func upkeepDelayMilliseconds() -> Int32?
    /// Does the store's deferred upkeep. Correctness never depends on it: it takes work off the path of replies.
    func runUpkeep() throws(StoreError)

    // MARK: Identity and sessions

    /// The user a token belongs to; unauthenticated when the token is unknown or revoked.
    func authenticate(token: String) throws(StoreError) -> UserRef
    /// Whether the token with this SHA-256 hash (hex) still authenticates: it was not removed, nor its user.
    func tokenStillAuthenticates(hash: String) throws(StoreError) -> Bool
    /// Records a live session, so that others can see it in rooms and time it out when its host dies.
    func registerSession(id: String, userID: String, pid: Int32) throws(StoreError)
    /// Marks the session alive; false when another host already timed it out.
    func heartbeat(sessionID: String) throws(StoreError) -> Bool
    /// Times out sessions whose host stopped sending heartbeats; each leaves its rooms exactly once.
    func reapSessions(silentForMilliseconds: Int64) throws(StoreError) -> [PresenceChange]
    /// Leaves every room of a session and forgets the session.
    func endSession(_ sessionID: String, reason: LeaveReason) throws(StoreError) -> [PresenceChange]

    // MARK: Projects and members

    /// The projects of every organization the user belongs to, by name.
    func listProjects(user: UserRef) throws(StoreError) -> [ProjectWithRole]
    /// Creates a project (owners and admins only).
    func createProject(user: UserRef, organizationID: String, name: String) throws(StoreError) -> Project
    /// Adds a member or changes their role; only an owner grants or takes the owner role, and the last owner keeps it.
    func addMember(
        actor: ActingSession,
        organizationID: String,
        userID: String,
        role: Role
    ) throws(StoreError) -> Membership
    /// Removes a member; their sessions leave the organization's rooms (reason `revoked`) in the same transaction.
    func removeMember(
        actor: ActingSession,
        organizationID: String,
        userID: String
    ) throws(StoreError) -> [PresenceChange]
    /// True when the user is still a member of the project's organization.
    func isMember(userID: String, projectID: String) throws(StoreError) -> Bool

    // MARK: Tasks

    /// Creates a task at version 1.
    func createTask(actor: ActingSession, _ task: NewTask) throws(StoreError) -> ChangeResult<TaskItem>
    /// A task the user can see.
    func task(user: UserRef, id: String) throws(StoreError) -> TaskItem
    /// A project's tasks in the filter's order; the cursor keeps pages right while tasks come and go.
    func listTasks(
        user: UserRef,
        projectID: String,
        filter: TaskFilter,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<TaskItem>
    /// Changes a task's fields (not its status) if it is still at `expectedVersion`.
    func updateTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        patch: TaskPatch
    ) throws(StoreError) -> ChangeResult<TaskItem>
    /// Changes a task's status if it is still at `expectedVersion`; the event records the status it came from.
    func setTaskStatus(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        status: TaskStatus
    ) throws(StoreError) -> ChangeResult<TaskItem>
    /// Moves a task within its column or to another one if it is still at `expectedVersion`; a column's ranks may
    /// be respaced first, with their own event.
    func moveTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        move: TaskMove
    ) throws(StoreError) -> ChangeResult<TaskItem>
    /// Deletes a task and its comments; the result holds the task as it was.
    func deleteTask(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64
    ) throws(StoreError) -> ChangeResult<TaskItem>

    // MARK: Comments

    /// Adds a comment to a task.
    func createComment(actor: ActingSession, taskID: String, body: String) throws(StoreError) -> ChangeResult<Comment>
    /// A task's comments, oldest first, ties by id.
    func listComments(user: UserRef, taskID: String, limit: Int64, cursor: String?) throws(StoreError) -> Page<Comment>
    /// Changes a comment's body (its author only).
    func updateComment(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        body: String
    ) throws(StoreError) -> ChangeResult<Comment>
    /// Deletes a comment (its author, an owner or an admin); the result holds the comment as it was.
    func deleteComment(actor: ActingSession, id: String) throws(StoreError) -> ChangeResult<Comment>

    // MARK: Search

    /// The tasks that match a query in the projects the user can see (or only `scope.projectID`, which must be one
    /// of them), best first, ties by id; a page at a time, the cursor counting the results of the previous pages.
    func searchTasks(
        user: UserRef,
        query: SearchQuery,
        scope: SearchScope,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<SearchHit>

    // MARK: Events and rooms

    /// A page of the project's event log after `after`, for a member of its organization.
    func listEvents(user: UserRef, projectID: String, after: Int64, limit: Int64) throws(StoreError) -> EventPage
    /// Committed events of a project after `after`, in `seq` order, without an access check: for delivery to
    /// rooms the session already joined.
    func events(projectID: String, after: Int64, limit: Int64) throws(StoreError) -> [CommittedEvent]
    /// Enters the room, and reads its presence and the project's `seq` in the same transaction.
    func join(actor: ActingSession, projectID: String, since: Int64?) throws(StoreError) -> JoinResult
    /// Leaves a room; nil when the session was no longer in it (someone else already recorded its leaving).
    func leave(sessionID: String, projectID: String, reason: LeaveReason) throws(StoreError) -> PresenceChange?
    /// Presence changes of every room after `id`, oldest first.
    func presenceChanges(after id: Int64, limit: Int64) throws(StoreError) -> [PresenceChange]
}

/// How a group of calls run by ``TaskwireStorage/runGrouped(_:)`` ended.
public enum GroupResult: Sendable {
    /// The group did not run: each call must run by itself.
    case unavailable
    /// Everything the group wrote is committed.
    case committed
    /// The group ran but its commit failed: nothing it wrote was kept.
    case failed(StoreError)
}

extension TaskwireStorage {
    /// A backend that does not group runs each call in a transaction of its own.
    public func runGrouped(_ body: () -> Void) -> GroupResult { .unavailable }
    /// A backend without deferred upkeep.
    public func upkeepDelayMilliseconds() -> Int32? { nil }
    public func runUpkeep() throws(StoreError) {}

    /// Presence changes of every room after `id`, oldest first, at most 1000.
    public func presenceChanges(after id: Int64) throws(StoreError) -> [PresenceChange] {
        try presenceChanges(after: id, limit: 1000)
    }
}

/// Tells that something was committed to the database since the last reading, by this host or another.
///
/// - Important: used from one thread only (the delivery thread that made it).
public protocol ChangeFeed: AnyObject {
    /// A value that differs from the previous reading when something was committed since; nil when it cannot be
    /// read right now.
    func version() -> Int64?
    /// Makes sure changes of this project (a room the host is in) are seen; a feed may otherwise see only some.
    func watch(_ projectID: String)
    /// The host has left the project's room.
    func unwatch(_ projectID: String)
    /// A socket that becomes readable when a commit may have been announced, for a reader that would rather sleep
    /// on it than look at ``version()`` again and again; nil for a feed that can only be looked at (or, for now,
    /// cannot be read at all). What it says is only a hint: ``version()`` tells.
    var announcementSocket: Int32? { get }
}

extension ChangeFeed {
    /// A feed that sees every commit of the database has nothing to do.
    public func watch(_ projectID: String) {}
    public func unwatch(_ projectID: String) {}
    /// A feed that is looked at has no socket to sleep on.
    public var announcementSocket: Int32? { nil }
}
