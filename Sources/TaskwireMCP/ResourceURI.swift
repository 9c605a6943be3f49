/// The address of an MCP resource: a project's board or a task.
enum ResourceURI: Hashable, Sendable {
    case project(String)
    case task(String)

    static let projectPrefix = "taskwire://projects/"
    static let taskPrefix = "taskwire://tasks/"

    init?(_ text: String) {
        for (prefix, make) in [(Self.projectPrefix, Self.project), (Self.taskPrefix, Self.task)]
        where text.hasPrefix(prefix) {
            let id = text.dropFirst(prefix.count)
            // Ids are printable: anything else (a control character, U+0000) names no resource.
            guard !id.isEmpty,
                !id.unicodeScalars.contains(where: {
                    $0.value < 0x20 || $0.value == 0x7F || "/?#".unicodeScalars.contains($0)
                })
            else { return nil }
            self = make(String(id))
            return
        }
        return nil
    }

    var text: String {
        switch self {
        case .project(let id): Self.projectPrefix + id
        case .task(let id): Self.taskPrefix + id
        }
    }
}
