import Foundation
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Paging through `task.list` and `comment.list` while another host process deletes, changes and creates items
/// between pages: keyset cursors must neither skip nor repeat what stays.
@Suite(.serialized) struct StorePaginationTests {
    static let taskCount = 250
    static let taskPageSize = 20
    static let commentCount = 120
    static let commentPageSize = 10

    /// The `task.list` filters walked.
    enum Filter: String, CaseIterable, Sendable {
        case none
        case inProgress
        case unassigned

        var params: JSONObject {
            switch self {
            case .none: [:]
            case .inProgress: ["status": "in_progress"]
            case .unassigned: ["assigneeId": .null]
            }
        }

        func matches(_ task: JSON) -> Bool {
            switch self {
            case .none: true
            case .inProgress: task["status"]?.stringValue == "in_progress"
            case .unassigned: task["assigneeId"] == .null
            }
        }
    }

    @Test(arguments: Filter.allCases)
    func taskPagesUnderChurn(filter: Filter) throws {
        let world = try TestWorld(userNames: ["ada", "bob"])
        let walker = try world.host(as: world.users[0])
        let churner = try world.host(as: world.users[1])
        let project = world.projectID
        let assignee = world.users[1].id

        func fields(_ index: Int) -> JSONObject {
            let statuses = ["in_progress", "todo", "done"]
            return [
                "projectId": .string(project), "title": .string("task \(index)"),
                "status": .string(statuses[index % statuses.count]),
                "assigneeId": index % 2 == 0 ? .string(assignee) : .null,
            ]
        }
        let seeded = (0..<Self.taskCount).map { churner.send("task.create", fields($0)) }
        let initial = try seeded.map { try churner.reply(to: $0)["task"]! }

        var created = Self.taskCount
        let collection = PagedCollection(
            pageSize: Self.taskPageSize,
            itemsKey: "tasks",
            matches: filter.matches,
            list: { cursor in
                var params = filter.params
                params["projectId"] = .string(project)
                params["limit"] = .int(Self.taskPageSize)
                if !cursor.isNull { params["cursor"] = cursor }
                return try walker.call("task.list", params)
            },
            create: {
                created += 1
                return try churner.call("task.create", fields(created))["task"]!
            },
            update: { item in
                let params: JSONObject = [
                    "id": .string(item.id), "expectedVersion": .int(item.version), "title": "changed while walking",
                ]
                return try churner.call("task.update", params)["task"]!
            },
            delete: { item in
                try churner.call("task.delete", ["id": .string(item.id), "expectedVersion": .int(item.version)])
            }
        )
        try collection.walkUnderChurn(initial: initial)
    }

    @Test func commentPagesUnderChurn() throws {
        let world = try TestWorld(userNames: ["ada", "bob"])
        let walker = try world.host(as: world.users[0])
        let churner = try world.host(as: world.users[1])
        let task = try churner.call("task.create", ["projectId": .string(world.projectID), "title": "discussed"])
        let taskID = task["task"]!.id

        let seeded = (0..<Self.commentCount).map {
            churner.send("comment.create", ["taskId": .string(taskID), "body": .string("comment \($0)")])
        }
        let initial = try seeded.map { try churner.reply(to: $0)["comment"]! }

        var created = Self.commentCount
        let collection = PagedCollection(
            pageSize: Self.commentPageSize,
            itemsKey: "comments",
            matches: { $0["taskId"]?.stringValue == taskID },
            list: { cursor in
                var params: JSONObject = ["taskId": .string(taskID), "limit": .int(Self.commentPageSize)]
                if !cursor.isNull { params["cursor"] = cursor }
                return try walker.call("comment.list", params)
            },
            create: {
                created += 1
                let params: JSONObject = ["taskId": .string(taskID), "body": .string("comment \(created)")]
                return try churner.call("comment.create", params)["comment"]!
            },
            update: { item in
                let params: JSONObject = [
                    "id": .string(item.id), "expectedVersion": .int(item.version), "body": "changed while walking",
                ]
                return try churner.call("comment.update", params)["comment"]!
            },
            delete: { item in
                try churner.call("comment.delete", ["id": .string(item.id)])
            }
        )
        try collection.walkUnderChurn(initial: initial)
    }
}

/// A list read page by page, and the changes another session makes to it between pages.
private struct PagedCollection {
    var pageSize: Int
    /// The member of a page that holds its items.
    var itemsKey: String
    /// Whether an item belongs in the listing (the filter of the walk).
    var matches: (JSON) -> Bool
    /// Reads the page after `cursor` (null for the first).
    var list: (_ cursor: JSON) throws -> JSON
    var create: () throws -> JSON
    /// Changes an item without taking it out of the listing; returns it as stored now.
    var update: (_ item: JSON) throws -> JSON
    var delete: (_ item: JSON) throws -> JSON

    /// What the churning session knows of an item.
    private struct Tracked {
        var item: JSON
        var deleted = false
    }

    /// Walks every page; between pages, deletes items not seen yet and items already seen (the cursor's own
    /// item among them), changes one not seen yet and creates new ones. Then checks what the walk met.
    func walkUnderChurn(initial: [JSON], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var tracked: [String: Tracked] = [:]
        for item in initial { tracked[item.id] = Tracked(item: item) }
        let initialOrder = initial.map(\.id)
        var walked: [JSON] = []
        var seen: [String: Int] = [:]
        var deletedUnseen: Set<String> = []
        var cursor: JSON = .null
        var page = 0

        while true {
            page += 1
            try #require(page <= 100, "the walk does not end", sourceLocation: sourceLocation)
            let result = try list(cursor)
            let items = result[itemsKey]?.arrayValue ?? []
            let next = result["nextCursor"] ?? .null
            for item in items {
                seen[item.id, default: 0] += 1
                walked.append(item)
                #expect(matches(item), "page \(page): \(item.text) does not match", sourceLocation: sourceLocation)
                #expect(
                    !deletedUnseen.contains(item.id),
                    "page \(page): \(item.id) was deleted before this page was read",
                    sourceLocation: sourceLocation
                )
                guard let known = tracked[item.id] else {
                    Issue.record("page \(page): unknown item \(item.text)", sourceLocation: sourceLocation)
                    continue
                }
                #expect(
                    item.version == known.item.version,
                    "page \(page): \(item.id) is listed at version \(item.version), stored at \(known.item.version)",
                    sourceLocation: sourceLocation
                )
            }
            if next.isNull { break }
            #expect(
                items.count == pageSize,
                "page \(page) has \(items.count) items and a next cursor",
                sourceLocation: sourceLocation
            )

            let unseen = initialOrder.filter { seen[$0] == nil && !tracked[$0]!.deleted }
            for position in Set([2, unseen.count / 2]) where position < unseen.count {
                _ = try delete(tracked[unseen[position]]!.item)
                tracked[unseen[position]]!.deleted = true
                deletedUnseen.insert(unseen[position])
            }
            if unseen.count > 5, !deletedUnseen.contains(unseen[5]) {
                tracked[unseen[5]]!.item = try update(tracked[unseen[5]]!.item)
            }
            // Odd pages lose the item their cursor points at; even pages an earlier one.
            let seenAlive = walked.map(\.id).filter { tracked[$0].map { !$0.deleted } ?? false }
            let earlier = seenAlive.dropLast()
            let victim = page % 2 == 1 ? seenAlive.last : earlier.isEmpty ? nil : earlier[(page * 7) % earlier.count]
            if let victim {
                _ = try delete(tracked[victim]!.item)
                tracked[victim]!.deleted = true
            }
            for _ in 0..<2 {
                let item = try create()
                tracked[item.id] = Tracked(item: item)
            }
            cursor = next
        }

        for (id, count) in seen where count > 1 {
            Issue.record("\(id) was listed \(count) times", sourceLocation: sourceLocation)
        }
        let stayed = initialOrder.filter { !tracked[$0]!.deleted && matches(tracked[$0]!.item) }
        let missed = stayed.filter { seen[$0] == nil }
        #expect(missed.isEmpty, "never listed although present all along: \(missed)", sourceLocation: sourceLocation)
        #expect(
            deletedUnseen.contains { matches(tracked[$0]!.item) },
            "the churn deleted no matching item ahead of the walk",
            sourceLocation: sourceLocation
        )
        for (earlier, later) in zip(walked, walked.dropFirst())
        where !Self.position(earlier).lexicographicallyPrecedes(Self.position(later)) {
            Issue.record(
                "\(Self.describe(earlier)) is listed before \(Self.describe(later)), against (createdAt, id) order",
                sourceLocation: sourceLocation
            )
        }
    }

    private static func describe(_ item: JSON) -> String {
        "\(item.id) (\(item["createdAt"]?.stringValue ?? "no createdAt"))"
    }

    /// The (createdAt, id) position of an item, as bytes that compare in the listing's order.
    private static func position(_ item: JSON) -> [UInt8] {
        Array((item["createdAt"]?.stringValue ?? "").utf8) + [0] + Array(item.id.utf8)
    }
}
