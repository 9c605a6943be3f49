import Foundation
import TaskwireProtocol
import TaskwireServer
import Testing

@testable import TaskwireMCP

@Suite struct ToolCatalogTests {
    /// Every `$ref` of a schema, however deep.
    private func references(in schema: JSON) -> [String] {
        switch schema {
        case .object(let object):
            object.flatMap { member -> [String] in
                member.key == "$ref" ? [member.value.stringValue ?? "?"] : references(in: member.value)
            }
        case .array(let elements):
            elements.flatMap(references)
        default:
            []
        }
    }

    @Test(arguments: ToolCatalog.all.map(\.name))
    func schemasStandAlone(_ name: String) throws {
        let tool = try #require(ToolCatalog.byName[name])
        #expect(references(in: tool.inputSchema).isEmpty)
        #expect(references(in: tool.outputSchema).isEmpty)
        #expect(tool.inputSchema["type"] == "object")
        #expect(tool.outputSchema["type"] == "object")
        #expect(tool.inputSchema["additionalProperties"] == false)
        // MCP tool names: 1 to 128 of A-Z a-z 0-9 _ - .
        #expect(name.range(of: #"^[A-Za-z0-9_.-]{1,128}$"#, options: .regularExpression) != nil)
    }

    /// A tool that is one method takes exactly that method's params, with the same rule for which are required.
    @Test(arguments: [
        ("list_projects", "project.list"), ("list_tasks", "task.list"), ("create_task", "task.create"),
        ("update_task", "task.update"), ("set_task_status", "task.setStatus"), ("delete_task", "task.delete"),
        ("add_comment", "comment.create"), ("move_task", "task.move"),
    ])
    func directToolsTakeTheirMethodsParams(_ name: String, _ method: String) throws {
        let tool = try #require(ToolCatalog.byName[name])
        let params = try #require(
            OpenRPCDocument.value["methods"]?.arrayValue?.first { $0["name"] == .string(method) }?["params"]?.arrayValue
        )
        let names = params.compactMap { $0["name"]?.stringValue }
        let required = params.filter { $0["required"] == true }.compactMap { $0["name"]?.stringValue }
        #expect(tool.inputSchema["properties"]?.objectValue?.keys == names)
        #expect((tool.inputSchema["required"]?.arrayValue ?? []).compactMap(\.stringValue) == required)
        let result = try #require(
            OpenRPCDocument.value["methods"]?.arrayValue?.first { $0["name"] == .string(method) }?["result"]?["schema"]
        )
        #expect(tool.outputSchema == ProtocolSchemas.resolved(result))
    }

    @Test func referencesAreInlinedWithTheirSiblings() {
        let resolved = ProtocolSchemas.resolved(["$ref": "#/components/schemas/TaskStatus", "description": "mine"])
        #expect(resolved["enum"] == ["todo", "in_progress", "in_review", "done"])
        #expect(resolved["description"] == "mine")
    }

    @Test func annotationsFollowTheEffect() throws {
        let reads = try #require(ToolCatalog.byName["get_task"]).annotations
        #expect(reads["readOnlyHint"] == true && reads["destructiveHint"] == false && reads["idempotentHint"] == true)
        let adds = try #require(ToolCatalog.byName["add_comment"]).annotations
        #expect(adds["readOnlyHint"] == false && adds["destructiveHint"] == false && adds["idempotentHint"] == false)
        let overwrites = try #require(ToolCatalog.byName["delete_task"]).annotations
        #expect(
            overwrites["readOnlyHint"] == false && overwrites["destructiveHint"] == true
                && overwrites["idempotentHint"] == true
        )
    }

    @Test func listingDependsOnTheRevision() throws {
        let tool = try #require(ToolCatalog.byName["create_task"])
        let oldest = tool.listing(for: MCPVersion.negotiate("2024-11-05"))
        #expect(oldest["annotations"] == nil && oldest["outputSchema"] == nil && oldest["title"] == nil)
        let march = tool.listing(for: MCPVersion.negotiate("2025-03-26"))
        #expect(march["annotations"] != nil && march["outputSchema"] == nil)
        let latest = tool.listing(for: MCPVersion.latest)
        #expect(latest["annotations"] != nil && latest["outputSchema"] != nil && latest["title"] != nil)
    }

    @Test(arguments: [
        ("2024-11-05", "2024-11-05"), ("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"), ("2026-07-28", "2025-11-25"), ("1", "2025-11-25"), ("", "2025-11-25"),
    ])
    func versionNegotiation(_ requested: String, _ answered: String) {
        #expect(MCPVersion.negotiate(requested).rawValue == answered)
    }
}

@Suite struct MCPDocumentTests {
    static let page = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/mcp.md")

    /// Protocol/mcp.md's tools table names exactly the tools served, in the same order.
    @Test func toolsTableMatchesTheCatalog() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let tools = try #require(text.range(of: "## Tools")).upperBound
        let resources = try #require(text.range(of: "## Resources")).lowerBound
        let rows = text[tools..<resources].split(separator: "\n").filter { $0.hasPrefix("| `") }
        let named = rows.compactMap { row -> String? in
            let cells = row.split(separator: "`")
            return cells.count > 1 ? String(cells[1]) : nil
        }
        #expect(named == ToolCatalog.all.map(\.name))
    }

    /// Every request method served is named on the page.
    @Test func methodsAreDocumented() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        for method in MCPServer.methodNames {
            #expect(text.contains("`\(method)"), "Protocol/mcp.md does not mention \(method)")
        }
    }
}

@Suite struct ResourceTests {
    @Test func uris() {
        #expect(ResourceURI("taskwire://projects/prj_1") == .project("prj_1"))
        #expect(ResourceURI("taskwire://tasks/tsk_1") == .task("tsk_1"))
        #expect(ResourceURI("taskwire://tasks/tsk_1").map(\.text) == "taskwire://tasks/tsk_1")
        for invalid in ["taskwire://projects/", "taskwire://tasks/a/b", "taskwire://comments/c", "file:///etc/passwd"] {
            #expect(ResourceURI(invalid) == nil, "\(invalid)")
        }
    }

    @Test(arguments: [
        (#"{"data":{"task":{"id":"tsk_1"}}}"#, "tsk_1"), (#"{"data":{"taskId":"tsk_2"}}"#, "tsk_2"),
        (#"{"data":{"comment":{"id":"c","taskId":"tsk_3"}}}"#, "tsk_3"), (#"{"data":{}}"#, nil),
    ])
    func eventsNameTheirTask(_ payload: String, _ task: String?) {
        let event = CommittedEvent(projectID: "prj", seq: 1, type: "task.updated", payload: Array(payload.utf8))
        #expect(ResourceSubscriptions.taskID(of: event) == task)
    }
}
