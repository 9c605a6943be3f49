import TaskwireProtocol
import TaskwireStore

extension Server {
    /// Page size of `task.search`: 1 to 100, default 20.
    private static let searchPageRange: ClosedRange<Int64> = 1...100
    private static let searchPageSize: Int64 = 20

    static let searchMethods: [Method] = [
        Method("task.search", params: ["query", "projectId", "status", "limit", "cursor"], groupable: true) {
            request in
            let params = request.params
            let query = try SearchQuery(parsing: try params.string("query"))
            var scope = SearchScope()
            if params.has("projectId") { scope.projectID = try params.identifier("projectId") }
            scope.status = try params.optionalChoice("status", TaskStatus.allCases.map(\.rawValue))
                .flatMap(TaskStatus.init(rawValue:))
            let page = try request.server.store.searchTasks(
                user: request.user!,
                query: query,
                scope: scope,
                limit: try params.optionalInteger("limit", in: searchPageRange) ?? searchPageSize,
                cursor: try params.optionalString("cursor")
            )
            return [
                "results": .array(
                    page.items.map { hit in
                        ["task": hit.task.json, "score": score(hit.score), "snippet": .string(hit.snippet)]
                    }
                ),
                "nextCursor": .string(page.nextCursor),
            ]
        }
    ]

    /// A score as a JSON number, to six decimals (enough to tell results apart, without float noise).
    private static func score(_ value: Double) -> JSON {
        guard value.isFinite else { return 0 }
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        return .number(rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded))
    }
}
