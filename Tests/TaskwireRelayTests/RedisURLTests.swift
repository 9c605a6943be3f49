import TaskwireRelay
import Testing

@Suite struct RedisURLTests {
    struct Good: Sendable, CustomStringConvertible {
        var text: String
        var host: String
        var port: Int = 6379
        var user: String?
        var password: String?
        var database: Int = 0
        var description: String { text }
    }

    static let good: [Good] = [
        Good(text: "redis://localhost", host: "localhost"),
        Good(text: "redis://127.0.0.1:6380", host: "127.0.0.1", port: 6380),
        Good(text: "redis://cache.example.com:6379/3", host: "cache.example.com", database: 3),
        Good(text: "redis://h/", host: "h"),
        Good(text: "redis://:secret@h", host: "h", password: "secret"),
        Good(text: "redis://alice:secret@h:1/15", host: "h", port: 1, user: "alice", password: "secret", database: 15),
        Good(
            text: "redis://al%69ce:p%40ss%3Aw%2Frd@h:65535",
            host: "h",
            port: 65535,
            user: "alice",
            password: "p@ss:w/rd"
        ),
        Good(text: "redis://:p@ss@h", host: "h", password: "p@ss"),
        Good(text: "redis://:@h", host: "h", password: ""),
        Good(text: "REDIS://H:7000", host: "H", port: 7000),
        Good(text: "redis://[::1]:6390/2", host: "::1", port: 6390, database: 2),
        Good(text: "redis://[::1]", host: "::1"),
        Good(text: "redis://:%E2%9C%93@h", host: "h", password: "\u{2713}"),
    ]

    @Test(arguments: good) func parses(_ expected: Good) throws {
        let url = try RedisURL(parsing: expected.text)
        #expect(url.host == expected.host)
        #expect(url.port == expected.port)
        #expect(url.user == expected.user)
        #expect(url.password == expected.password)
        #expect(url.database == expected.database)
    }

    @Test(arguments: [
        "",
        "localhost:6379",
        "http://localhost",
        "rediss://localhost",
        "redis:/localhost",
        "redis://",
        "redis://:6379",
        "redis://h:",
        "redis://h:0",
        "redis://h:65536",
        "redis://h:63x9",
        "redis://h:-1",
        "redis://h/x",
        "redis://h/-1",
        "redis://h/1/2",
        "redis://h?db=1",
        "redis://h#frag",
        "redis:// h",
        "redis://secret@h",
        "redis://:%zz@h",
        "redis://:%4@h",
        "redis://:%FF@h",
        "redis://[::1",
        "redis://[::1]x",
    ])
    func rejects(_ text: String) {
        #expect(throws: RedisURLError.self) { try RedisURL(parsing: text) }
    }

    @Test func tlsURLsAreRefusedWithWhatToDoInstead() {
        #expect(throws: RedisURLError.self) { try RedisURL(parsing: "rediss://:hunter2@redis.example:6380") }
        do {
            _ = try RedisURL(parsing: "REDISS://:hunter2@redis.example:6380")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("not supported by this build"))
            #expect(text.contains("tunnel"))
            #expect(!text.contains("hunter2"))
        }
    }

    @Test func errorsAndDescriptionsHideThePassword() throws {
        let url = try RedisURL(parsing: "redis://alice:hunter2@h:1/2")
        #expect(url.description == "redis://alice:***@h:1/2")
        #expect(!"\(url)".contains("hunter2"))
        do {
            _ = try RedisURL(parsing: "redis://:hunter2@h:99999")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("port"))
        }
    }
}
