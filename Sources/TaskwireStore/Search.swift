import Foundation
public import TaskwireProtocol

/// One task that matches a search: how well (higher is better) and the excerpt that shows why.
public struct SearchHit: Sendable, Equatable {
    public var task: TaskItem
    /// Higher is better; comparable only between the results of one search.
    public var score: Double
    /// A short plain-text excerpt with each matching word in `**`: see ``SearchSnippet``.
    public var snippet: String

    public init(task: TaskItem, score: Double, snippet: String) {
        self.task = task
        self.score = score
        self.snippet = snippet
    }
}

/// Which tasks a search looks at, beyond the projects the user can see.
public struct SearchScope: Sendable {
    /// Only this project (which the user must be able to see).
    public var projectID: String?
    /// Only tasks with this status.
    public var status: TaskStatus?

    public init(projectID: String? = nil, status: TaskStatus? = nil) {
        self.projectID = projectID
        self.status = status
    }
}

/// An opaque search cursor: how many results the previous pages held. Results are ranked, so a page is found by
/// its position in the ranking.
package enum SearchCursor {
    package static func encode(_ offset: Int64) -> String {
        "s1." + Data(String(offset).utf8).base64EncodedString()
    }

    package static func decode(_ cursor: String) throws(StoreError) -> Int64 {
        guard cursor.hasPrefix("s1."), let data = Data(base64Encoded: String(cursor.dropFirst(3))),
            let text = String(data: data, encoding: .utf8), let offset = Int64(text), offset > 0
        else { throw .invalid("cursor", "not a cursor from a previous page") }
        return offset
    }

    /// The cursor after a page that started at `offset` and held `count` results, when more follow.
    package static func next(offset: Int64, count: Int, more: Bool) -> String? {
        more ? encode(offset + Int64(count)) : nil
    }
}

/// What both stores index of a task.
public enum SearchIndex {
    /// The comment text of a task that is indexed, in characters, oldest comments first: PostgreSQL's documents are
    /// bounded (1 MB), and both stores index the same text.
    public static let commentCharacters = 131_072
}
