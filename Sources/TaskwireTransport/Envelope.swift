public import TaskwireProtocol

/// One JSON-RPC call read from the input, checked against the envelope rules of JSON-RPC 2.0.
public struct Call: Sendable {
    /// The id, or `nil` for a notification.
    public var id: RequestID?
    public var method: String
    /// The params, `{}` when omitted.
    public var params: JSONObject
    /// Set when `params` was an array: the method must answer -32602 (params are by name).
    public var paramsWereArray: Bool

    public var isNotification: Bool { id == nil }

    public init(id: RequestID?, method: String, params: JSONObject, paramsWereArray: Bool = false) {
        self.id = id
        self.method = method
        self.params = params
        self.paramsWereArray = paramsWereArray
    }
}

/// What one element of the input turned out to be.
public enum Envelope: Sendable {
    case call(Call)
    /// Not a valid request; answered with this error and id (null when the id could not be read).
    case invalid(RequestID, ResponseError)
    /// A response (`result` or `error`, no `method`) with this id: the host sends no requests, so none is awaited.
    case response(RequestID)

    /// What a response is answered with where responses are not passed over: what a request without a method gets.
    static let responseError = ResponseError.invalidRequest("method must be a string")

    /// The call, when this is one.
    public var call: Call? {
        if case .call(let call) = self { return call }
        return nil
    }

    /// Checks one request object (a top-level message or a batch element).
    ///
    /// The members are read in one pass, each name compared with the four an envelope may have (short strings,
    /// compared in place): a lookup of each member by name and a hashed set of the known names cost about 2.5k
    /// instructions per request, as much as parsing a `ping`'s whole line.
    public static func decode(_ value: JSON) -> Envelope {
        guard case .object(let object) = value else {
            return .invalid(.null, .invalidRequest("a request must be a JSON object"))
        }
        var rawID: JSON?
        var version: JSON?
        var methodValue: JSON?
        var params: JSON?
        var isResponseShaped = false
        var unknown: String?
        for member in object {
            switch member.key {
            case "id": rawID = member.value
            case "jsonrpc": version = member.value
            case "method": methodValue = member.value
            case "params": params = member.value
            default:
                if member.key == "result" || member.key == "error" { isResponseShaped = true }
                if unknown == nil { unknown = member.key }
            }
        }
        var id: RequestID?
        if let rawID {
            guard let valid = RequestID(rawID) else {
                return .invalid(.null, .invalidRequest("id must be a string, a number or null"))
            }
            id = valid
        }
        let replyID = id ?? .null
        guard case .string("2.0")? = version else {
            return .invalid(replyID, .invalidRequest("jsonrpc must be \"2.0\""))
        }
        if methodValue == nil, let id, isResponseShaped {
            return .response(id)
        }
        guard case .string(let method)? = methodValue else {
            return .invalid(replyID, .invalidRequest("method must be a string"))
        }
        if let unknown {
            return .invalid(replyID, .invalidRequest("unknown member \"\(unknown)\""))
        }
        switch params {
        // `params: null` counts as omitted: editor RPC libraries send it for parameterless calls such as `shutdown`.
        case nil, .null?:
            return .call(Call(id: id, method: method, params: [:], paramsWereArray: false))
        case .object(let params)?:
            return .call(Call(id: id, method: method, params: params, paramsWereArray: false))
        case .array?:
            return .call(Call(id: id, method: method, params: [:], paramsWereArray: true))
        default:
            return .invalid(replyID, .invalidRequest("params must be an object or omitted"))
        }
    }
}

/// Builders for the messages the host writes.
public enum Outgoing {
    public static func response(id: RequestID, result: JSON) -> JSON {
        .object(JSONObject(members: [.init("jsonrpc", "2.0"), .init("id", id.json), .init("result", result)]))
    }

    public static func response(id: RequestID, error: ResponseError) -> JSON {
        .object(["jsonrpc": "2.0", "id": id.json, "error": error.json])
    }

    public static func notification(method: String, params: JSON) -> JSON {
        .object(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// A notification whose params are already-serialized JSON, spliced in without re-encoding.
    public static func notification(method: String, rawParams: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rawParams.count + method.utf8.count + 40)
        out.append(contentsOf: #"{"jsonrpc":"2.0","method":"#.utf8)
        JSON.writeString(method, into: &out)
        out.append(contentsOf: #","params":"#.utf8)
        out.append(contentsOf: rawParams)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
