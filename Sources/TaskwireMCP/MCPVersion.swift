/// A revision of the Model Context Protocol that `initialize` can negotiate, and what differs between them.
struct MCPVersion: Sendable, Equatable, Comparable {
    let rawValue: String

    /// Oldest first. Revisions are compared by their place here, never as strings.
    static let supported = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"].map(MCPVersion.init(rawValue:))
    static let latest = supported.last!

    /// The revision answered to a client that asked for `requested`: that one when supported, else the latest
    /// (the client then decides whether it can speak it).
    static func negotiate(_ requested: String) -> MCPVersion {
        supported.first { $0.rawValue == requested } ?? latest
    }

    private var order: Int { Self.supported.firstIndex(of: self) ?? 0 }

    static func < (lhs: MCPVersion, rhs: MCPVersion) -> Bool { lhs.order < rhs.order }

    /// Tool annotations came with 2025-03-26.
    var hasToolAnnotations: Bool { self >= MCPVersion(rawValue: "2025-03-26") }
    /// `title`, `outputSchema` and `structuredContent` came with 2025-06-18.
    var hasTitlesAndStructuredOutput: Bool { self >= MCPVersion(rawValue: "2025-06-18") }
}
