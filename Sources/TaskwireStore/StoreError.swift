/// Why a storage operation did nothing, in the store's own terms; nothing of the operation was written.
///
/// Callers switch on ``kind`` and read the accessor that goes with it. The cases stay private so that a new one
/// can be added without breaking every exhaustive switch over them.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The entity does not exist, or the caller may not know that it does: see ``entity``.
        case notFound
        /// The caller may see the entity but not do this to it: see ``reason``.
        case forbidden
        /// An input breaks a rule: see ``field`` and ``reason``.
        case invalid
        /// The entity is at another version than expected: see ``currentVersion`` and ``current``.
        case conflict
        /// The token is unknown or revoked.
        case unauthenticated
        /// An administrative request that cannot be done as asked (a duplicate name, an unknown user): see
        /// ``message``.
        case refused
        /// The storage is locked by others past the wait limit; retrying may succeed.
        case busy
        /// The storage cannot grow (a full disk or a file size limit).
        case storageFull
        /// The storage cannot be read or written (I/O error, read-only, damaged): see ``message`` for the log.
        case unavailable
        /// A fault of the host itself: see ``message`` for the log.
        case failure
    }

    private enum Detail: Sendable {
        case notFound(entity: String)
        case forbidden(reason: String)
        case invalid(field: String, reason: String)
        case conflict(current: VersionedEntity)
        case unauthenticated
        case refused(message: String)
        case busy
        case storageFull
        case unavailable(detail: String)
        case failure(detail: String)
    }

    private let detail: Detail

    private init(_ detail: Detail) { self.detail = detail }

    public static func notFound(_ entity: String) -> StoreError { StoreError(.notFound(entity: entity)) }
    public static func forbidden(_ reason: String) -> StoreError { StoreError(.forbidden(reason: reason)) }
    public static func invalid(_ field: String, _ reason: String) -> StoreError {
        StoreError(.invalid(field: field, reason: reason))
    }
    public static func conflict(current: VersionedEntity) -> StoreError { StoreError(.conflict(current: current)) }
    public static let unauthenticated = StoreError(.unauthenticated)
    public static func refused(_ message: String) -> StoreError { StoreError(.refused(message: message)) }
    public static let busy = StoreError(.busy)
    public static let storageFull = StoreError(.storageFull)
    public static func unavailable(_ detail: String) -> StoreError { StoreError(.unavailable(detail: detail)) }
    public static func failure(_ detail: String) -> StoreError { StoreError(.failure(detail: detail)) }

    public var kind: Kind {
        switch detail {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .invalid: .invalid
        case .conflict: .conflict
        case .unauthenticated: .unauthenticated
        case .refused: .refused
        case .busy: .busy
        case .storageFull: .storageFull
        case .unavailable: .unavailable
        case .failure: .failure
        }
    }

    /// For ``Kind/notFound``: the kind of entity, such as `Task`.
    public var entity: String? {
        if case .notFound(let entity) = detail { entity } else { nil }
    }

    /// For ``Kind/invalid``: the input that breaks a rule, named as the caller named it.
    public var field: String? {
        if case .invalid(let field, _) = detail { field } else { nil }
    }

    /// For ``Kind/forbidden`` and ``Kind/invalid``: why.
    public var reason: String? {
        switch detail {
        case .forbidden(let reason), .invalid(_, let reason): reason
        default: nil
        }
    }

    /// For ``Kind/conflict``: the entity as it is stored now.
    public var current: VersionedEntity? {
        if case .conflict(let current) = detail { current } else { nil }
    }

    /// For ``Kind/conflict``: the version the entity is at now.
    public var currentVersion: Int64? { current?.version }

    /// For ``Kind/refused``: a sentence for the person at the terminal. For ``Kind/unavailable`` and
    /// ``Kind/failure``: the detail for the log, never for a client.
    public var message: String? {
        switch detail {
        case .refused(let text), .unavailable(let text), .failure(let text): text
        default: nil
        }
    }

    public var description: String {
        switch detail {
        case .notFound(let entity): "\(entity) not found"
        case .forbidden(let reason): "Forbidden: \(reason)"
        case .invalid(let field, let reason): "Invalid \(field): \(reason)"
        case .conflict(let current): "Conflict: the entity is at version \(current.version)"
        case .unauthenticated: "Unauthenticated"
        case .busy: "Storage busy, try again"
        case .storageFull: "Storage full or not writable; nothing was changed"
        case .refused(let text), .unavailable(let text), .failure(let text): text
        }
    }
}
