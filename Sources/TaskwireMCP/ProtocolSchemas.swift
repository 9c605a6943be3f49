import TaskwireProtocol
import TaskwireServer

/// JSON Schemas taken from `Protocol/openrpc.json`, the one source of every method's params and result: the MCP
/// tools describe their input and output with these, never with copies kept by hand.
///
/// References (`#/components/schemas/X`) are inlined, so that each schema stands alone: MCP clients validate a
/// tool's schema without the document it came from.
enum ProtocolSchemas {
    private static let document = OpenRPCDocument.value

    /// The method `name` of the document; a missing method is a defect of this module, caught by its tests.
    static func method(_ name: String) -> JSONObject {
        for method in document["methods"]?.arrayValue ?? [] where method["name"] == .string(name) {
            return method.objectValue ?? [:]
        }
        preconditionFailure("Protocol/openrpc.json has no method \(name)")
    }

    /// The input schema of a tool that takes the params `names` of `methodName` (all of them when nil); `required`
    /// overrides which of them must be given (the method's own rule when nil).
    static func params(of methodName: String, only names: [String]? = nil, required: Set<String>? = nil) -> JSON {
        let params = method(methodName)["params"]?.arrayValue ?? []
        var properties: JSONObject = [:]
        var requiredNames: [JSON] = []
        for name in names ?? params.compactMap({ $0["name"]?.stringValue }) {
            guard let param = params.first(where: { $0["name"] == .string(name) }) else {
                preconditionFailure("\(methodName) has no param \(name)")
            }
            var schema = resolved(param["schema"] ?? [:]).objectValue ?? [:]
            if schema["description"] == nil, let description = param["description"] {
                schema["description"] = description
            }
            properties[name] = .object(schema)
            if required?.contains(name) ?? (param["required"] == .bool(true)) { requiredNames.append(.string(name)) }
        }
        var schema: JSONObject = ["type": "object", "properties": .object(properties)]
        if !requiredNames.isEmpty { schema["required"] = .array(requiredNames) }
        schema["additionalProperties"] = false
        return .object(schema)
    }

    /// The result schema of `methodName`, references inlined.
    static func result(of methodName: String) -> JSON {
        resolved(method(methodName)["result"]?["schema"] ?? [:])
    }

    /// The schema of one member of `methodName`'s result.
    static func resultMember(_ member: String, of methodName: String) -> JSON {
        guard let schema = result(of: methodName)["properties"]?[member] else {
            preconditionFailure("the result of \(methodName) has no member \(member)")
        }
        return schema
    }

    /// A component schema (`#/components/schemas/name`), references inlined.
    static func component(_ name: String) -> JSON {
        guard let schema = document["components"]?["schemas"]?[name] else {
            preconditionFailure("Protocol/openrpc.json has no schema \(name)")
        }
        return resolved(schema)
    }

    /// `schema` with every `$ref` replaced by the schema it names.
    static func resolved(_ schema: JSON) -> JSON {
        switch schema {
        case .object(let object):
            if case .string(let reference)? = object["$ref"] {
                let prefix = "#/components/schemas/"
                guard reference.hasPrefix(prefix) else { preconditionFailure("unsupported reference \(reference)") }
                var target = component(String(reference.dropFirst(prefix.count))).objectValue ?? [:]
                for member in object where member.key != "$ref" { target[member.key] = member.value }
                return .object(target)
            }
            var copy: JSONObject = [:]
            for member in object { copy[member.key] = resolved(member.value) }
            return .object(copy)
        case .array(let elements):
            return .array(elements.map(resolved))
        default:
            return schema
        }
    }
}
