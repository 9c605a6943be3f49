import Foundation
import TaskwireProtocol
import Testing

@testable import TaskwireServer

@Suite struct OpenRPCDocumentTests {
    static let documentPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/openrpc.json").path

    static func document() throws -> JSON {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: documentPath))))
    }

    @Test func embeddedDocumentMatchesProtocolFile() throws {
        let file = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        #expect(
            OpenRPCDocument.text + "\n" == file,
            "Sources/TaskwireServer/OpenRPCDocument.swift is stale: run Scripts/embed-openrpc.sh"
        )
        #expect(OpenRPCDocument.value == (try Self.document()))
    }

    @Test func documentDescribesExactlyTheServedMethods() throws {
        let methods = try Self.document()["methods"]?.arrayValue ?? []
        let described = Set(methods.compactMap { $0["name"]?.stringValue })
        let served = Set(Server.methodNames)
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served))")
        #expect(served.subtracting(described).isEmpty, "served but not described: \(served.subtracting(described))")
        #expect(methods.count == described.count, "a method is described twice")
    }

    @Test func documentDescribesTheParamsEachMethodAccepts() throws {
        let methods = try Self.document()["methods"]?.arrayValue ?? []
        for method in methods {
            guard let name = method["name"]?.stringValue, let served = Server.methods[name] else { continue }
            let params = Set((method["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(params == served.params, "\(name): document \(params.sorted()) vs served \(served.params.sorted())")
        }
    }

    @Test func documentListsEveryNotificationTheHostSends() throws {
        let notifications = try Self.document()["x-notifications"]?.arrayValue ?? []
        let names = Set(notifications.compactMap { $0["name"]?.stringValue })
        // Every event type, and the room notices.
        let sent = Set(EventType.allCases.map(\.rawValue)).union([
            "presence.joined", "presence.left", "project.revoked", "project.resync", "relay.status",
        ])
        #expect(names == sent)
    }
}
