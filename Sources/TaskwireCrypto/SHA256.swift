import COpenSSL

/// SHA-256 (FIPS 180-4) from OpenSSL's libcrypto: tokens are stored only as this hash.
public enum SHA256 {
    /// The 32-byte digest of `message`.
    public static func hash<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        CryptoLibrary.ensureInitialized()
        var digest = [UInt8](repeating: 0, count: 32)
        let succeeded = withContiguousBytes(message) { input in
            digest.withUnsafeMutableBufferPointer { COpenSSL_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        // EVP_Digest fails only when libcrypto cannot allocate or is broken: nothing sensible can go on.
        precondition(succeeded == 1, "libcrypto could not compute SHA-256")
        return digest
    }

    /// The digest of `message` as 64 lowercase hexadecimal digits, the form stored for tokens.
    public static func hexDigest<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        Hex.encode(hash(message))
    }
}

/// Runs `body` over the bytes of `collection`, copying them only when they are not contiguous.
func withContiguousBytes<Bytes: Collection, Result>(
    _ collection: Bytes,
    _ body: (UnsafeRawBufferPointer) -> Result
) -> Result where Bytes.Element == UInt8 {
    if let result = collection.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(collection).withUnsafeBytes(body)
}
