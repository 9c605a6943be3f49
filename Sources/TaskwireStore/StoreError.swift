public import TaskwireProtocol

/// An error of the store's domain, with the JSON-RPC error it stands for.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case busy
        case storageFull
        case notFound(String)
        case forbidden(String)
        case conflict(currentVersion: Int64, current: JSON)
        case invalid(field: String, reason: String)
        case unauthenticated
        case admin(String)
        /// The database file could not be read or written (I/O error, read-only, damaged); detail for the log.
        case unavailable(String)
        /// The host's own fault; the detail goes to the log, never to the client.
        case failure(String)
    }

    let kind: Kind

    static let busy = StoreError(kind: .busy)
    static let storageFull = StoreError(kind: .storageFull)
    static func notFound(_ what: String) -> StoreError { StoreError(kind: .notFound(what)) }
    static func forbidden(_ reason: String) -> StoreError { StoreError(kind: .forbidden(reason)) }
    static func invalid(_ field: String, _ reason: String) -> StoreError {
        StoreError(kind: .invalid(field: field, reason: reason))
    }
    static func conflict(version: Int64, current: JSON) -> StoreError {
        StoreError(kind: .conflict(currentVersion: version, current: current))
    }
    static let unauthenticated = StoreError(kind: .unauthenticated)
    /// A mistake in an admin command, with a message for the terminal.
    static func admin(_ message: String) -> StoreError { StoreError(kind: .admin(message)) }

    public var responseError: ResponseError {
        switch kind {
        case .busy: .busy
        case .storageFull:
            ResponseError(
                code: .internalError,
                message: "Storage full or not writable; nothing was changed",
                data: ["reason": "storage full"]
            )
        case .notFound(let what): .notFound(what)
        case .forbidden(let reason): .forbidden(reason)
        case .conflict(let version, let current):
            ResponseError(
                code: .conflict,
                message: "Conflict: the entity is at version \(version)",
                data: ["currentVersion": .int(version), "current": current]
            )
        case .invalid(let field, let reason): .invalidParams(field: field, reason: reason)
        case .unauthenticated: .unauthenticated
        case .admin(let message): ResponseError(code: .invalidParams, message: message)
        case .unavailable:
            ResponseError(code: .internalError, message: "Storage unavailable", data: ["reason": "storage unavailable"])
        case .failure: .internalError
        }
    }

    public var description: String {
        switch kind {
        case .admin(let message), .failure(let message), .unavailable(let message): message
        default: responseError.message
        }
    }
}
