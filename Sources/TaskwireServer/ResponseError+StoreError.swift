public import TaskwireProtocol
public import TaskwireStore

extension ResponseError {
    /// The JSON-RPC error a storage error stands for (Protocol/openrpc.json, errors); the one place that decides
    /// it. Details of storage failures stay in the log: the client learns only that storage failed.
    public init(_ error: StoreError) {
        switch error.kind {
        case .notFound:
            self = .notFound(error.entity ?? "Entity")
        case .forbidden:
            self = .forbidden(error.reason ?? "not allowed")
        case .invalid:
            self = .invalidParams(field: error.field ?? "params", reason: error.reason ?? "invalid")
        case .conflict:
            var data: JSONObject = [:]
            if let current = error.current {
                data = ["currentVersion": .int(current.version), "current": current.json]
            }
            self.init(
                code: .conflict,
                message: "Conflict: the entity is at version \(error.currentVersion ?? 0)",
                data: .object(data)
            )
        case .unauthenticated:
            self = .unauthenticated
        case .refused:
            self.init(code: .invalidParams, message: error.message ?? "refused")
        case .busy:
            self = .busy
        case .storageFull:
            self.init(
                code: .internalError,
                message: "Storage full or not writable; nothing was changed",
                data: ["reason": "storage full"]
            )
        case .unavailable:
            self.init(code: .internalError, message: "Storage unavailable", data: ["reason": "storage unavailable"])
        case .failure:
            self = .internalError
        }
    }
}
