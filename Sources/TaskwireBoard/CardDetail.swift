public import TaskwireProtocol

/// An open card: the task's id and its comments, kept current by the room's comment events.
public struct CardDetail: Sendable, Equatable {
    public struct Comment: Sendable, Equatable {
        public var id: String
        public var authorID: String
        public var body: String
        public var version: Int64
        public var createdAt: String

        init?(_ json: JSON) {
            guard let id = json["id"]?.stringValue, let body = json["body"]?.stringValue else { return nil }
            self.id = id
            self.body = body
            authorID = json["authorId"]?.stringValue ?? ""
            version = json["version"]?.int64Value ?? 0
            createdAt = json["createdAt"]?.stringValue ?? ""
        }
    }

    public let taskID: String
    /// Oldest first, as `comment.list` gives them.
    public private(set) var comments: [Comment]
    /// The first line shown.
    public var scroll = 0
    /// Whether the task was deleted while open.
    public private(set) var deleted = false

    /// The card of `taskID` with the comments of `comment.list`.
    public init(taskID: String, comments: [JSON]) {
        self.taskID = taskID
        self.comments = comments.compactMap(Comment.init)
    }

    /// Applies a comment event of the room (and `task.deleted`), when it is about this card.
    public mutating func apply(method: String, params: JSON) {
        let data = params["data"] ?? .null
        switch method {
        case "comment.created", "comment.updated":
            guard let comment = data["comment"].flatMap(Comment.init), data["comment"]?["taskId"]?.stringValue == taskID
            else { return }
            if let index = comments.firstIndex(where: { $0.id == comment.id }) {
                if comment.version >= comments[index].version { comments[index] = comment }
            } else {
                comments.append(comment)
            }
        case "comment.deleted":
            guard data["taskId"]?.stringValue == taskID else { return }
            comments.removeAll { $0.id == data["commentId"]?.stringValue }
        case "task.deleted":
            if data["taskId"]?.stringValue == taskID { deleted = true }
        default:
            break
        }
    }
}

/// The answer of `task.search`, as a list to pick a card from.
public struct SearchResults: Sendable, Equatable {
    public struct Result: Sendable, Equatable {
        public var taskID: String
        public var title: String
        public var status: TaskStatus?
        /// The matching text, with matches between `**` marks.
        public var snippet: String
    }

    public let query: String
    public let results: [Result]
    /// Whether the host has more results than these.
    public let truncated: Bool
    public var selected = 0

    /// The results of a `task.search` result object.
    public init(query: String, response: JSON) {
        self.query = query
        results = (response["results"]?.arrayValue ?? []).compactMap { entry in
            guard let task = entry["task"], let id = task["id"]?.stringValue else { return nil }
            return Result(
                taskID: id,
                title: task["title"]?.stringValue ?? "",
                status: task["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)),
                snippet: entry["snippet"]?.stringValue ?? ""
            )
        }
        truncated = !(response["nextCursor"]?.isNull ?? true)
    }

    /// The snippet's parts, each marked as a match or not (`**word**` marks a match).
    public static func highlights(_ snippet: String) -> [(text: String, match: Bool)] {
        var parts: [(String, Bool)] = []
        var match = false
        for piece in snippet.split(separator: "**", omittingEmptySubsequences: false) {
            if !piece.isEmpty { parts.append((String(piece), match)) }
            match.toggle()
        }
        return parts
    }
}
