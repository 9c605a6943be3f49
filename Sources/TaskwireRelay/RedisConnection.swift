import CHiredis
import Glibc

/// A reply from Redis, copied out of hiredis's reply object.
enum RedisReply {
    case bytes([UInt8])
    case status(String)
    case error(String)
    case integer(Int)
    case null
    indirect case array([RedisReply])

    init(_ reply: UnsafePointer<redisReply>) {
        let reply = reply.pointee
        func text() -> String {
            guard let str = reply.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.len), as: UTF8.self)
        }
        switch reply.type {
        case REDIS_REPLY_STRING:
            self = .bytes(reply.str.map { Array(UnsafeRawBufferPointer(start: $0, count: reply.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            self = .status(text())
        case REDIS_REPLY_ERROR:
            self = .error(text())
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(reply.integer))
        case REDIS_REPLY_ARRAY:
            self = .array((0..<reply.elements).map { index in reply.element[index].map { RedisReply($0) } ?? .null })
        default:
            self = .null
        }
    }

    /// The reply as text when it is a bulk string or a status, for matching keywords such as "message".
    var keyword: String? {
        switch self {
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }
}

/// Why a connection could not be opened or had to be abandoned. Carries hiredis's or Redis's reason, never a payload.
struct RedisConnectionError: Error, CustomStringConvertible {
    var description: String
}

/// What one attempt to read a reply produced.
enum RedisReadResult {
    case reply(RedisReply)
    /// Nothing arrived within the I/O timeout; the connection is still usable.
    case timedOut
    case failed(RedisConnectionError)
}

/// One blocking hiredis connection.
///
/// - Important: Not `Sendable` (it holds a `redisContext*`), so it cannot be handed to another thread: it lives and
///   dies on the thread that opened it. Noncopyable, so exactly one owner frees the context.
struct RedisConnection: ~Copyable {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects and sets the I/O timeout that bounds every read and write.
    init(host: String, port: Int, connectTimeout: Duration, ioTimeout: Duration) throws(RedisConnectionError) {
        guard let context = redisConnectWithTimeout(host, Int32(port), timeval(connectTimeout)) else {
            throw RedisConnectionError(description: "cannot allocate a Redis context")
        }
        if context.pointee.err != 0 {
            let error = RedisConnectionError(description: Self.errorText(context))
            redisFree(context)
            throw error
        }
        guard redisSetTimeout(context, timeval(ioTimeout)) == REDIS_OK, redisEnableKeepAlive(context) == REDIS_OK
        else {
            let error = RedisConnectionError(description: Self.errorText(context))
            redisFree(context)
            throw error
        }
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// Queues one command in the output buffer; it is written by the next `read()`. Arguments are binary-safe.
    func append(_ arguments: [[UInt8]]) throws(RedisConnectionError) {
        // One contiguous copy of all arguments; the trailing byte keeps the buffer non-empty, so every argument
        // pointer is valid even for empty arguments.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        for argument in arguments {
            buffer.append(contentsOf: argument)
        }
        buffer.append(0)
        let lengths = arguments.map(\.count)
        let appended = buffer.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var offset = 0
            let pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return (base + offset).assumingMemoryBound(to: CChar.self)
            }
            return pointers.withUnsafeBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisAppendCommandArgv(
                        context,
                        Int32(arguments.count),
                        UnsafeMutablePointer(mutating: argv.baseAddress),
                        argvlen.baseAddress
                    ) == REDIS_OK
                }
            }
        }
        guard appended else { throw RedisConnectionError(description: Self.errorText(context)) }
    }

    /// Queues bytes that are already a command in the protocol's format (or the end of one); written by the next
    /// `read()`.
    func append(formatted bytes: [UInt8]) throws(RedisConnectionError) {
        let appended = bytes.withUnsafeBytes { buffer in
            redisAppendFormattedCommand(context, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
        }
        guard appended == REDIS_OK else { throw RedisConnectionError(description: Self.errorText(context)) }
    }

    /// The connection's socket, for a write another thread makes while this connection's owner leaves it alone.
    var socket: Int32 { context.pointee.fd }

    /// One command in the protocol's format (binary-safe arguments), as `append` would queue it.
    static func format(_ arguments: [[UInt8]]) -> [UInt8]? {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        for argument in arguments { buffer.append(contentsOf: argument) }
        buffer.append(0)
        let lengths = arguments.map(\.count)
        var command: UnsafeMutablePointer<CChar>?
        let length = buffer.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var offset = 0
            let pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return (base + offset).assumingMemoryBound(to: CChar.self)
            }
            return pointers.withUnsafeBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisFormatCommandArgv(
                        &command,
                        Int32(arguments.count),
                        UnsafeMutablePointer(mutating: argv.baseAddress),
                        argvlen.baseAddress
                    )
                }
            }
        }
        guard length > 0, let command else { return nil }
        defer { redisFreeCommand(command) }
        return [UInt8](UnsafeRawBufferPointer(start: command, count: Int(length)))
    }

    /// Writes what `append` queued, then waits up to the I/O timeout for one reply.
    func read() -> RedisReadResult {
        var reply: UnsafeMutablePointer<redisReply>?
        switch CHiredis_readReply(context, &reply) {
        case CHIREDIS_READ_REPLY:
            guard let reply else { return .timedOut }
            defer { freeReplyObject(reply) }
            return .reply(RedisReply(reply))
        case CHIREDIS_READ_TIMEOUT:
            return .timedOut
        default:
            return .failed(RedisConnectionError(description: Self.errorText(context)))
        }
    }

    /// A reply already complete in the buffer, taken without touching the socket; `.timedOut` when there is none.
    func bufferedReply() -> RedisReadResult {
        var reply: UnsafeMutablePointer<redisReply>?
        guard CHiredis_takeBufferedReply(context, &reply) == REDIS_OK else {
            return .failed(RedisConnectionError(description: Self.errorText(context)))
        }
        guard let reply else { return .timedOut }
        defer { freeReplyObject(reply) }
        return .reply(RedisReply(reply))
    }

    /// Sends one command and waits for its reply until `deadline`.
    func command(_ arguments: [[UInt8]], deadline: ContinuousClock.Instant) throws(RedisConnectionError) -> RedisReply {
        try append(arguments)
        return try nextReply(deadline: deadline)
    }

    /// Waits for the next reply until `deadline` (a command with several replies, such as SUBSCRIBE of several
    /// channels, sends one per channel).
    func nextReply(deadline: ContinuousClock.Instant) throws(RedisConnectionError) -> RedisReply {
        while true {
            switch read() {
            case .reply(let reply):
                return reply
            case .failed(let error):
                throw error
            case .timedOut:
                if ContinuousClock.now >= deadline {
                    throw RedisConnectionError(description: "no reply from Redis")
                }
            }
        }
    }

    /// Whether the socket has something to read right now (data, end of file or an error).
    var isReadable: Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            let text = bytes.prefix { $0 != 0 }
            return text.isEmpty ? "unknown hiredis error" : String(decoding: text, as: UTF8.self)
        }
    }
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let microseconds = Int(duration / .microseconds(1))
        self.init(tv_sec: microseconds / 1_000_000, tv_usec: microseconds % 1_000_000)
    }
}
