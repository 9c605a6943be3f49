/// What `taskwire doctor` asks of a Redis relay: can it be reached and authenticated, how long a round trip takes,
/// and whether a message published on one connection reaches a subscriber on another.
public enum RedisProbe {
    public struct Report: Sendable {
        /// The median of several `PING`s, in microseconds.
        public var roundTripMicroseconds: Int
        /// From `PUBLISH` on one connection to the message on another, in microseconds.
        public var relayMicroseconds: Int
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// Which step failed: `connect`, `auth`, `ping` or `relay`.
        public var step: String
        public var description: String
    }

    public static func run(_ url: RedisURL, timeout: Duration = .seconds(3)) -> Result<Report, Failure> {
        do throws(Failure) {
            return .success(try probe(url, deadline: ContinuousClock.now + timeout, timeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    private static func probe(
        _ url: RedisURL,
        deadline: ContinuousClock.Instant,
        timeout: Duration
    ) throws(Failure)
        -> Report
    {
        let publisher = try connect(url, timeout: timeout, deadline: deadline)
        let subscriber = try connect(url, timeout: timeout, deadline: deadline)
        var samples: [Int] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            do {
                guard case .status = try publisher.command([RedisRelay.Command.ping], deadline: deadline) else {
                    throw Failure(step: "ping", description: "PING was not answered PONG")
                }
            } catch let error as Failure {
                throw error
            } catch {
                throw Failure(step: "ping", description: "\(error)")
            }
            samples.append(microseconds(ContinuousClock.now - start))
        }
        let channel = Array("taskwire:doctor:\(UInt64.random(in: 0...UInt64.max))".utf8)
        do {
            _ = try subscriber.command([RedisRelay.Command.subscribe, channel], deadline: deadline)
            let start = ContinuousClock.now
            _ = try publisher.command([RedisRelay.Command.publish, channel, Array("probe".utf8)], deadline: deadline)
            guard case .array(let message) = try subscriber.nextReply(deadline: deadline), message.count == 3 else {
                throw Failure(step: "relay", description: "the subscriber heard something else")
            }
            return Report(
                roundTripMicroseconds: samples.sorted()[samples.count / 2],
                relayMicroseconds: microseconds(ContinuousClock.now - start)
            )
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(step: "relay", description: "\(error)")
        }
    }

    /// A connection, authenticated when the URL has a password.
    private static func connect(
        _ url: RedisURL,
        timeout: Duration,
        deadline: ContinuousClock.Instant
    ) throws(Failure)
        -> RedisConnection
    {
        let connection: RedisConnection
        do {
            connection = try RedisConnection(
                host: url.host,
                port: url.port,
                connectTimeout: timeout,
                ioTimeout: timeout
            )
        } catch {
            throw Failure(step: "connect", description: error.description)
        }
        do {
            try prepare(connection, url, deadline: deadline)
        } catch {
            throw Failure(step: "auth", description: error.description)
        }
        return connection
    }

    private static func prepare(
        _ connection: borrowing RedisConnection,
        _ url: RedisURL,
        deadline: ContinuousClock.Instant
    ) throws(RedisConnectionError) {
        try RedisRelay.Core.authenticate(connection, url: url, deadline: deadline)
        if case .error(let message) = try connection.command([RedisRelay.Command.ping], deadline: deadline) {
            throw RedisConnectionError(description: message)
        }
    }

    private static func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000)
    }
}
