/// The location of a Redis server: `redis://[user:password@]host:port[/db]`.
///
/// The port defaults to 6379 and the database to 0. The user is optional (`redis://:password@host`); user and
/// password are percent-decoded. A bracketed IPv6 literal (`redis://[::1]:6379`) is accepted as the host.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int

    public init(parsing text: String) throws {
        let scheme = "redis://"
        if text.lowercased().hasPrefix("rediss://") { throw RedisURLError(.tlsNotSupported) }
        guard text.lowercased().hasPrefix(scheme) else {
            if let colon = text.firstIndex(of: ":"), case let name = text[..<colon], !name.isEmpty,
                name.allSatisfy({ $0.isASCII && $0.isLetter }), name.lowercased() != "redis"
            {
                throw RedisURLError(.unsupportedScheme(String(name)))
            }
            throw RedisURLError(.missingScheme)
        }
        var rest = Substring(text.dropFirst(scheme.count))
        guard !rest.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) else {
            throw RedisURLError(.unexpectedCharacters)
        }

        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Self.decimal(path) else { throw RedisURLError(.badDatabase) }
                database = number
            }
            rest = rest[..<slash]
        }

        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else { throw RedisURLError(.badUserInfo) }
            let rawUser = userInfo[..<colon]
            let rawPassword = userInfo[userInfo.index(after: colon)...]
            guard let decodedUser = Self.percentDecoded(rawUser),
                let decodedPassword = Self.percentDecoded(rawPassword)
            else { throw RedisURLError(.badPercentEncoding) }
            user = decodedUser.isEmpty ? nil : decodedUser
            password = decodedPassword
        }

        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw RedisURLError(.badHost) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisURLError(.badHost) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "@" || $0 == "[" || $0 == "]" }) else {
            throw RedisURLError(.badHost)
        }

        var port = 6379
        if let portText {
            guard let number = Self.decimal(portText), (1...65535).contains(number) else {
                throw RedisURLError(.badPort)
            }
            port = number
        }

        self.host = String(host)
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// A non-negative decimal number of at most 9 digits, or nil.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `text` with `%XX` sequences decoded as UTF-8, or nil when a sequence or the result is malformed.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension RedisURL: CustomStringConvertible {
    /// The URL with the password masked, fit for logs.
    public var description: String {
        var text = "redis://"
        if password != nil {
            text += "\(user ?? ""):***@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        if database != 0 {
            text += "/\(database)"
        }
        return text
    }
}

/// Why a Redis URL was rejected. The description never repeats the URL, which may hold a password.
public struct RedisURLError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Reason: Equatable {
        case missingScheme
        case unsupportedScheme(String)
        case tlsNotSupported
        case unexpectedCharacters
        case badUserInfo
        case badPercentEncoding
        case badHost
        case badPort
        case badDatabase
    }

    let reason: Reason

    init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        let detail =
            switch reason {
            case .missingScheme:
                "expected redis://[user:password@]host:port[/db]"
            case .unsupportedScheme(let scheme):
                "unsupported scheme \"\(scheme)\", expected redis://"
            case .tlsNotSupported:
                "TLS to Redis (rediss://) is not supported by this build; reach Redis through a TLS tunnel "
                    + "(stunnel, spiped or ssh -L) on a loopback port and pass redis://127.0.0.1:PORT, "
                    + "or leave out --redis to relay through the database"
            case .unexpectedCharacters:
                "query strings, fragments and spaces are not allowed"
            case .badUserInfo:
                "credentials must be user:password@ or :password@"
            case .badPercentEncoding:
                "malformed percent-encoding in the credentials"
            case .badHost:
                "missing or malformed host"
            case .badPort:
                "the port must be a number from 1 to 65535"
            case .badDatabase:
                "the database must be a non-negative number"
            }
        return "invalid Redis URL: \(detail)"
    }
}
