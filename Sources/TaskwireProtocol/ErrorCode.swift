/// A JSON-RPC error code: the standard ones of JSON-RPC 2.0 and Taskwire's application codes.
public struct ErrorCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let parseError = ErrorCode(rawValue: -32700)
    public static let invalidRequest = ErrorCode(rawValue: -32600)
    public static let methodNotFound = ErrorCode(rawValue: -32601)
    public static let invalidParams = ErrorCode(rawValue: -32602)
    public static let internalError = ErrorCode(rawValue: -32603)

    public static let unauthenticated = ErrorCode(rawValue: -32001)
    public static let notInitialized = ErrorCode(rawValue: -32002)
    public static let forbidden = ErrorCode(rawValue: -32003)
    public static let notFound = ErrorCode(rawValue: -32004)
    public static let conflict = ErrorCode(rawValue: -32009)
    public static let busy = ErrorCode(rawValue: -32010)
}

/// The `error` member of a JSON-RPC response.
public struct ResponseError: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var data: JSON?

    public init(code: ErrorCode, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var json: JSON {
        var object: JSONObject = ["code": .int(code.rawValue), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public static func parseError(_ reason: String) -> ResponseError {
        ResponseError(code: .parseError, message: "Parse error: \(reason)")
    }

    public static func invalidRequest(_ reason: String) -> ResponseError {
        ResponseError(code: .invalidRequest, message: "Invalid request: \(reason)")
    }

    public static func methodNotFound(_ method: String) -> ResponseError {
        ResponseError(code: .methodNotFound, message: "Method not found", data: ["method": .string(method)])
    }

    /// Invalid params that name the offending field, as `data: {field, reason}`.
    public static func invalidParams(field: String, reason: String, extra: JSONObject = [:]) -> ResponseError {
        var data: JSONObject = ["field": .string(field), "reason": .string(reason)]
        for member in extra { data[member.key] = member.value }
        return ResponseError(code: .invalidParams, message: "Invalid params: \(field): \(reason)", data: .object(data))
    }

    public static func invalidParams(_ reason: String) -> ResponseError {
        ResponseError(code: .invalidParams, message: "Invalid params: \(reason)", data: ["reason": .string(reason)])
    }

    public static let internalError = ResponseError(code: .internalError, message: "Internal error")
    public static let notInitialized = ResponseError(code: .notInitialized, message: "Not initialized")
    public static let unauthenticated = ResponseError(code: .unauthenticated, message: "Unauthenticated")

    public static func notFound(_ what: String) -> ResponseError {
        ResponseError(code: .notFound, message: "\(what) not found")
    }

    public static func forbidden(_ reason: String) -> ResponseError {
        ResponseError(code: .forbidden, message: "Forbidden: \(reason)")
    }

    public static let busy = ResponseError(
        code: .busy,
        message: "Storage busy, try again",
        data: ["retryable": true]
    )
}

/// A request id exactly as the client wrote it: a string, a number (kept as its text) or null.
public struct RequestID: Sendable, Equatable {
    public let json: JSON

    /// Accepts the JSON-RPC id types; anything else is not an id.
    public init?(_ json: JSON) {
        switch json {
        case .string, .number, .null: self.json = json
        default: return nil
        }
    }

    public static let null = RequestID(.null)!
}
