import COpenSSL

/// HMAC-SHA-256 (RFC 2104) under one key, from OpenSSL's libcrypto.
public struct HMACSHA256: Sendable {
    /// The length of an authentication code in bytes.
    public static let codeByteCount = 32

    private let key: SecretKey

    public init(key: SecretKey) {
        CryptoLibrary.ensureInitialized()
        self.key = key
    }

    /// The 32-byte authentication code of `message`.
    public func authenticationCode(for message: ArraySlice<UInt8>) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Self.codeByteCount)
        let succeeded = key.bytes.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { input in
                code.withUnsafeMutableBufferPointer {
                    COpenSSL_hmacSHA256(
                        keyBytes.baseAddress,
                        keyBytes.count,
                        input.baseAddress,
                        input.count,
                        $0.baseAddress
                    )
                }
            }
        }
        precondition(succeeded == 1, "libcrypto could not compute HMAC-SHA-256")
        return code
    }

    /// Whether `code` is the authentication code of `message`, compared in constant time.
    public func isValid(code: ArraySlice<UInt8>, for message: ArraySlice<UInt8>) -> Bool {
        ConstantTime.equal(authenticationCode(for: message)[...], code)
    }
}

/// Comparisons whose duration does not depend on the position of the first difference.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Lengths are not secret: unequal lengths answer false at once.
    public static func equal(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        CryptoLibrary.ensureInitialized()
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                COpenSSL_constantTimeCompare(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
