import CLibpq
import Foundation
import TaskwireStore

/// How every connection of a store is opened.
///
/// The URL is taken as given, with a connect timeout unless it sets one, and UTF-8 as the client encoding.
///
/// Passwords come from the URL, `PGPASSWORD` or `~/.pgpass`, as libpq finds them. No message made here ever
/// contains one: libpq's own messages may echo parts of the connection string, so each is built from the host, the
/// port and the first line of libpq's message, with every secret that could appear in it blanked out.
struct ConnectionSettings: Sendable {
    let url: String
    let connectTimeoutSeconds: Int

    init(url: String, connectTimeoutSeconds: Int) throws(StoreError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw .unavailable("not a PostgreSQL URL: it must start with postgres:// or postgresql://")
        }
        self.url = url
        self.connectTimeoutSeconds = max(1, connectTimeoutSeconds)
    }

    /// Opens a connection; a failure is ``StoreError/unavailable`` with a one-line message naming the server (or,
    /// when libpq itself cannot be loaded, saying why).
    func connect() throws(StoreError) -> OpaquePointer {
        try Self.loadLibpq()
        // Entries before the URL are defaults that the URL may override; the one after it is imposed.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname", "client_encoding"]
        let values = [String(connectTimeoutSeconds), "taskwire", url, "UTF8"]
        let keywordCopies = keywords.map { strdup($0) } + [nil]
        let valueCopies = values.map { strdup($0) } + [nil]
        defer { for copy in keywordCopies + valueCopies { free(copy) } }
        let connection = keywordCopies.withUnsafeBufferPointer { keywordBuffer in
            valueCopies.withUnsafeBufferPointer { valueBuffer in
                keywordBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keywordPointers in
                    valueBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { valuePointers in
                        PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 1)
                    }
                }
            }
        }
        guard let connection else { throw .unavailable("cannot connect to PostgreSQL: out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = describeFailure(connection)
            PQfinish(connection)
            throw .unavailable(message)
        }
        // Notices (such as "relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return connection
    }

    /// Loads libpq, once per process: a host that never opens a PostgreSQL URL never maps it.
    static func loadLibpq() throws(StoreError) {
        var message = [CChar](repeating: 0, count: 256)
        guard !CLibpq_load(&message, message.count) else { return }
        let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw .unavailable("cannot use PostgreSQL: \(reason)")
    }

    /// `cannot connect to PostgreSQL at HOST:PORT: REASON`, on one line and without any password.
    func describeFailure(_ connection: OpaquePointer) -> String {
        let host = PQhost(connection).map { String(cString: $0) } ?? ""
        let port = PQport(connection).map { String(cString: $0) } ?? ""
        let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
        var reason = String(message.split(separator: "\n", maxSplits: 1).first ?? "")
        // libpq 15 writes `connection to server at "HOST" (ADDRESS), port PORT failed: REASON`: the server is
        // named already.
        if let range = reason.range(of: " failed: ") { reason = String(reason[range.upperBound...]) }
        return describeFailure(host: host, port: port, detail: reason)
    }

    /// A one-line message about the server of this URL, with every secret blanked out of `detail`.
    func describeFailure(host: String = "", port: String = "", detail: String) -> String {
        let fallback = Self.hostAndPort(of: url)
        let host = host.isEmpty ? fallback.host : host
        let port = port.isEmpty ? fallback.port : port
        var server = host.isEmpty ? "the default host" : host
        if !port.isEmpty { server += ":" + port }
        var reason = detail.trimmingCharacters(in: .whitespaces)
        for secret in secrets() where reason.contains(secret) {
            // A short secret could be any word of the message: leave the message out rather than guess.
            reason = secret.count >= 4 ? reason.replacingOccurrences(of: secret, with: "***") : "(details withheld)"
        }
        return "cannot connect to PostgreSQL at \(server)" + (reason.isEmpty ? "" : ": \(reason)")
    }

    /// Every form a password may take in a message.
    ///
    /// That is the URL's (as written and decoded), its `password` parameter, and `PGPASSWORD`.
    private func secrets() -> [String] {
        var found: [String] = []
        let rest = url[url.range(of: "://")!.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            found.append(String(authority[authority.index(after: colon)..<at]))
        }
        if let query = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: query)...].split(separator: "&") where pair.hasPrefix("password=") {
                found.append(String(pair.dropFirst("password=".count)))
            }
        }
        found += found.compactMap { $0.removingPercentEncoding }
        if let environment = ProcessInfo.processInfo.environment["PGPASSWORD"] { found.append(environment) }
        return Array(Set(found.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// The first host and port written in a URL, for a message when libpq could not say.
    static func hostAndPort(of url: String) -> (host: String, port: String) {
        guard let scheme = url.range(of: "://") else { return ("", "") }
        var authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let first = authority.prefix { $0 != "," }
        if first.hasPrefix("["), let close = first.firstIndex(of: "]") {
            let host = first[first.index(after: first.startIndex)..<close]
            let rest = first[first.index(after: close)...]
            return (String(host), rest.hasPrefix(":") ? String(rest.dropFirst()) : "")
        }
        guard let colon = first.lastIndex(of: ":") else { return (String(first), "") }
        return (String(first[..<colon]), String(first[first.index(after: colon)...]))
    }
}
