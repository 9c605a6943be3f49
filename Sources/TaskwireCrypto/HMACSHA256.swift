import COpenSSL
import TaskwireSync

/// HMAC-SHA-256 (RFC 2104) under one key, from OpenSSL's libcrypto.
public struct HMACSHA256: Sendable {
    /// The length of an authentication code in bytes.
    public static let codeByteCount = 32

    private let keyed: KeyedContext

    public init(key: SecretKey) {
        CryptoLibrary.ensureInitialized()
        keyed = KeyedContext(key: key)
    }

    /// The 32-byte authentication code of `message`.
    public func authenticationCode(for message: ArraySlice<UInt8>) -> [UInt8] {
        authenticationCode(for: [], followedBy: message)
    }

    /// The 32-byte authentication code of `prefix` followed by `message`, without joining them first.
    public func authenticationCode(for prefix: [UInt8], followedBy message: ArraySlice<UInt8>) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Self.codeByteCount)
        code.withUnsafeMutableBytes { authenticationCode(for: prefix, followedBy: message, into: $0) }
        return code
    }

    /// The same, written into the first ``codeByteCount`` bytes of `output` instead of an array of its own (for
    /// checking every relayed message, where the array was a tenth of the check).
    public func authenticationCode(
        for prefix: [UInt8],
        followedBy message: ArraySlice<UInt8>,
        into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(output.count >= Self.codeByteCount, "no room for the code")
        let succeeded = prefix.withUnsafeBytes { first in
            message.withUnsafeBytes { second in
                COpenSSL_hmacSHA256Finish(
                    keyed.copy(),
                    first.baseAddress,
                    first.count,
                    second.baseAddress,
                    second.count,
                    output.baseAddress!.bindMemory(to: UInt8.self, capacity: Self.codeByteCount)
                )
            }
        }
        precondition(succeeded == 1, "libcrypto could not compute HMAC-SHA-256")
    }

    /// Whether `code` is the authentication code of `message`, compared in constant time.
    public func isValid(code: ArraySlice<UInt8>, for message: ArraySlice<UInt8>) -> Bool {
        ConstantTime.equal(authenticationCode(for: message)[...], code)
    }
}

/// An HMAC-SHA-256 context keyed once, copied for every code: `HMAC()` fetched the algorithm, allocated a
/// context and derived the key's pads for each message, most of the cost of a relay message's code.
// @unchecked Sendable: the context is written only by `init` and freed by `deinit`; in between, it is only copied,
// under `lock` (a copy only reads it, but OpenSSL promises nothing about copies made at once from several threads).
private final class KeyedContext: @unchecked Sendable {
    private let context: OpaquePointer
    private let lock = Locked(())

    init(key: SecretKey) {
        let made = key.bytes.withUnsafeBytes { COpenSSL_hmacSHA256Keyed($0.baseAddress, $0.count) }
        guard let made else { preconditionFailure("libcrypto could not key HMAC-SHA-256") }
        context = made
    }

    deinit {
        COpenSSL_hmacFree(context)
    }

    /// A copy of the keyed context, for one code (``COpenSSL_hmacSHA256Finish`` frees it).
    func copy() -> OpaquePointer {
        guard let copy = lock.withLock({ _ in COpenSSL_hmacCopy(context) }) else {
            preconditionFailure("libcrypto could not copy an HMAC-SHA-256 context")
        }
        return copy
    }
}

/// Comparisons whose duration does not depend on the position of the first difference.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Lengths are not secret: unequal lengths answer false at once.
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        CryptoLibrary.ensureInitialized()
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return COpenSSL_constantTimeCompare(a.baseAddress, b.baseAddress, a.count) == 0
    }

    /// Whether `a` and `b` hold the same bytes. Lengths are not secret: unequal lengths answer false at once.
    public static func equal(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.withUnsafeBytes { left in b.withUnsafeBytes { right in equal(left, right) } }
    }
}
