import Foundation
import GRDB
import TaskwireCrypto
import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// Expects `body` to be refused as an admin command is, with a message for the terminal.
private func expectRefused(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("accepted", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.kind == .refused, "got \(error)", sourceLocation: sourceLocation)
        #expect(error.message?.isEmpty == false, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct StoreTests {
    /// The log is copied into the database every ``SQLiteStore/checkpointFrames`` frames, not SQLite's 1,000: it
    /// grows past 1,000 frames, and starts over (so the file stops growing) once past the larger bound.
    @Test func theLogIsCheckpointedEveryFourThousandFrames() throws {
        let temporary = try TemporaryStore()
        let pool = temporary.store.pool
        try pool.write { db in try db.execute(sql: "CREATE TABLE scratch(x INTEGER)") }
        func framesInLogFile() throws -> Int {
            let size = try FileManager.default.attributesOfItem(atPath: temporary.path + "-wal")[.size] as? Int ?? 0
            let pageSize = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? 4096
            return max(0, size - 32) / (pageSize + 24)
        }
        // One frame per commit: each appends a row to the same last page.
        for value in 0..<2500 {
            try pool.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (?)", arguments: [value]) }
        }
        #expect(try framesInLogFile() >= 2000)
        for value in 0..<3500 {
            try pool.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (?)", arguments: [value]) }
        }
        let frames = try framesInLogFile()
        #expect(frames > 3000 && frames <= SQLiteStore.checkpointFrames + 100, "\(frames) frames")
    }

    /// Savepoint journals (and sorts and temporary tables) stay in memory on every connection of the store: with
    /// temporary files, a group commit's calls wrote each page they changed a second time, to a file in /var/tmp,
    /// once their journal outgrew the 64 KiB SQLite keeps in memory (`SQLiteStore.init`).
    @Test func temporaryDataStaysInMemory() throws {
        let temporary = try TemporaryStore()
        let pool = temporary.store.pool
        // 2 is MEMORY; 0 would be the build's default, files.
        #expect(try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 2)
        #expect(try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 2)
    }

    @Test func schemaIsCreatedFromAnEmptyFile() throws {
        let temporary = try TemporaryStore(createEmptyFile: true)
        let tables = try temporary.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in [
            "comments", "events", "memberships", "meta", "organizations", "projects", "tasks", "tokens", "users",
        ] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        #expect(temporary.store.databaseID.count == 24)
        #expect(temporary.store.databaseID.allSatisfy { $0.isHexDigit })
        #expect(temporary.store.path == temporary.path)
    }

    /// A database from before ranks: its tasks get ranks column by column, oldest at the top.
    @Test func tasksOfAnOlderSchemaAreRankedByCreation() throws {
        let temporary = try TemporaryStore()
        try temporary.store.pool.write { db in
            try db.execute(
                sql: """
                    DROP INDEX tasks_rank;
                    ALTER TABLE tasks DROP COLUMN rank;
                    DELETE FROM grdb_migrations WHERE identifier = 'v5-ranks';
                    INSERT INTO users (id, name, created_at) VALUES ('u1', 'old', '2026-01-01');
                    INSERT INTO organizations (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01');
                    INSERT INTO projects (id, organization_id, name, created_at) VALUES ('p1', 'o1', 'web', '2026-01-01');
                    """
            )
            // Created in this order: c, a (todo), d (done), b (todo); ids do not follow creation.
            for (id, status, time) in [
                ("c", "todo", "01"), ("a", "todo", "02"), ("d", "done", "03"), ("b", "todo", "04"),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO tasks (id, project_id, title, description, status, priority, labels, version,
                            created_by, created_at, updated_at)
                        VALUES (?, 'p1', ?, '', ?, 'medium', '[]', 1, 'u1', ?, ?)
                        """,
                    arguments: [id, id, status, "2026-01-\(time)", "2026-01-\(time)"]
                )
            }
        }
        let reopened = try SQLiteStore(path: temporary.path)
        let ranks = try reopened.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, rank FROM tasks ORDER BY status, rank").map {
                "\($0[0] as String)=\($0[1] as String)"
            }
        }
        #expect(ranks == ["d=a0", "c=a0", "a=a1", "b=a2"])
    }

    @Test func reopeningKeepsTheDataAndTheDatabaseID() throws {
        let temporary = try TemporaryStore()
        let user = try temporary.store.addUser(name: "alice", email: nil)
        let reopened = try SQLiteStore(path: temporary.path)
        #expect(reopened.databaseID == temporary.store.databaseID)
        #expect(try reopened.authenticate(token: user.token).name == "alice")
    }

    @Test func storeCreatesMissingDirectories() throws {
        let temporary = try TemporaryStore()
        let nested = temporary.directory + "/a/b/nested.sqlite"
        let store = try SQLiteStore(path: nested)
        #expect(FileManager.default.fileExists(atPath: nested))
        #expect(store.databaseID != temporary.store.databaseID)
    }

    @Test func walAndForeignKeys() throws {
        let temporary = try TemporaryStore()
        let (journal, foreignKeys) = try temporary.store.pool.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
        let writerForeignKeys = try temporary.store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
        }
        #expect(writerForeignKeys == 1)
    }

    /// A database made before relay keys existed gets one when it is next opened, keeps it, and its tokens (hashed
    /// before cryptography came from libcrypto) still authenticate.
    @Test func anOlderDatabaseGainsARelayKeyAndKeepsItsTokens() throws {
        let temporary = try TemporaryStore()
        let token = "tw_made_by_an_older_version"
        try temporary.store.pool.write { db in
            try db.execute(sql: "DELETE FROM meta WHERE key = 'relay_key'")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-relay-key'")
            try db.execute(
                sql: "INSERT INTO users (id, name, email, created_at) VALUES ('u_old', 'old', NULL, '2026-01-01')"
            )
            // The SHA-256 of the token, as the earlier built-in implementation stored it.
            try db.execute(
                sql: "INSERT INTO tokens (hash, user_id, created_at) VALUES (?, 'u_old', '2026-01-01')",
                arguments: ["d991a95add83ae58212a046f425d69cf1379868170d0fd86b986c0e4e3aa3b2a"]
            )
        }
        let reopened = try SQLiteStore(path: temporary.path)
        #expect(reopened.relayKey.bytes.count == 32)
        #expect(reopened.relayKey != temporary.store.relayKey, "a new key, not the deleted one")
        #expect(try SQLiteStore(path: temporary.path).relayKey == reopened.relayKey, "made once, then kept")
        #expect(
            SHA256.hexDigest(Array(token.utf8)) == "d991a95add83ae58212a046f425d69cf1379868170d0fd86b986c0e4e3aa3b2a"
        )
        #expect(try reopened.authenticate(token: token).id == "u_old")
    }

    @Test func tokensAreStoredOnlyAsSHA256Hex() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let user = try store.addUser(name: "alice", email: "alice@example.com")
        let second = try store.addToken(user: "alice")
        #expect(second.userID == user.user.id)
        let tokens = [user.token, second.token]
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at")
        }
        #expect(rows.count == 2)
        let hashes = Set(rows.map { $0["hash"] as String })
        #expect(hashes == Set(tokens.map { SHA256.hexDigest(Array($0.utf8)) }))
        for row in rows {
            #expect(row["user_id"] as String == user.user.id)
            for column in row.columnNames {
                let value = row[column] as String?
                #expect(value.map { text in !tokens.contains { text.contains($0) } } ?? true)
            }
        }
        let hash = hashes.first!
        #expect(hash.count == 64)
        #expect(hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })

        // Neither the token nor its secret part is anywhere in the files, committed or still in the WAL.
        let bytes = try temporary.fileBytes()
        #expect(!bytes.isEmpty)
        for token in tokens {
            #expect(!bytes.contains(bytes: Array(token.utf8)))
            #expect(!bytes.contains(bytes: Array(token.dropFirst(3).utf8)))
        }
        #expect(bytes.contains(bytes: Array(hash.utf8)), "the check must be able to find stored text")
    }

    @Test func authenticationAndRevocation() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let user = try store.addUser(name: "bob", email: nil)
        let first = user.token
        let second = try store.addToken(user: user.user.id).token
        let authenticated = try store.authenticate(token: first)
        #expect(authenticated == UserRef(id: user.user.id, name: "bob"))

        try store.revokeToken(first)
        do {
            _ = try store.authenticate(token: first)
            Issue.record("a revoked token still authenticates")
        } catch {
            #expect(error.kind == .unauthenticated)
        }
        #expect(try store.authenticate(token: second).name == "bob")
        expectRefused { try store.revokeToken(first) }
        expectRefused { try store.revokeToken("tw_unknown") }
        for token in ["", "tw_", first + "x", String(first.dropLast()), first.uppercased()] {
            #expect(throws: StoreError.self) { try store.authenticate(token: token) }
        }
    }

    @Test func adminCommandsTakeNamesOrIDs() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let alice = try store.addUser(name: "alice", email: "a@example.com")
        let aliceID = alice.user.id
        #expect(aliceID.hasPrefix("usr_"))
        #expect(alice.user.name == "alice")
        #expect(alice.token.hasPrefix("tw_"))
        // The email is stored, but not shown.
        let email = try store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT email FROM users WHERE id = ?", arguments: [aliceID])
        }
        #expect(email == "a@example.com")
        let bobID = try store.addUser(name: "bob", email: nil).user.id

        let acme = try store.addOrganization(name: "Acme", owner: "alice")
        let acmeID = acme.id
        #expect(acmeID.hasPrefix("org_"))
        #expect(acme.name == "Acme")
        let globex = try store.addOrganization(name: "Globex", owner: bobID)

        #expect(
            try store.addMember(organization: "Acme", user: "bob", role: .member)
                == Membership(organizationID: acmeID, userID: bobID, role: .member)
        )
        #expect(try store.addMember(organization: acmeID, user: bobID, role: .admin).role == .admin)
        _ = try store.addMember(organization: "Globex", user: aliceID, role: .member)

        let roadmap = try store.addProject(organization: "Acme", name: "Roadmap")
        #expect(roadmap.organizationID == acmeID)
        #expect(roadmap.name == "Roadmap")
        #expect(roadmap.id.hasPrefix("prj_"))
        #expect(roadmap.json == ["id": .string(roadmap.id), "organizationId": .string(acmeID), "name": "Roadmap"])
        let other = try store.addProject(organization: globex.id, name: "  Other  ")
        #expect(other.name == "Other")

        let memberships = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT organization_id, user_id, role FROM memberships ORDER BY role, user_id")
                .map { "\($0["organization_id"] as String):\($0["user_id"] as String):\($0["role"] as String)" }
        }
        #expect(
            Set(memberships)
                == [
                    "\(acmeID):\(aliceID):owner", "\(acmeID):\(bobID):admin",
                    "\(globex.id):\(bobID):owner", "\(globex.id):\(aliceID):member",
                ]
        )

        let projects = try store.listProjects(user: UserRef(id: aliceID, name: "alice"))
        #expect(projects.map(\.project.name) == ["Other", "Roadmap"])
        #expect(projects.map(\.role) == [.member, .owner])
        #expect(
            projects.first?.json == [
                "id": .string(other.id), "organizationId": .string(globex.id), "name": "Other", "role": "member",
            ]
        )
    }

    @Test func duplicateNamesAreRefused() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try store.addUser(name: "alice", email: nil)
        expectRefused { _ = try store.addUser(name: "alice", email: "other@example.com") }
        expectRefused { _ = try store.addUser(name: "  alice ", email: nil) }
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        expectRefused { _ = try store.addOrganization(name: "Acme", owner: "alice") }
        let users = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") }
        let organizations = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM organizations")
        }
        #expect(users == 1)
        #expect(organizations == 1)
    }

    @Test func unknownReferencesAndTheLastOwnerAreRefused() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try store.addUser(name: "alice", email: nil)
        expectRefused { _ = try store.addOrganization(name: "Acme", owner: "nobody") }
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        expectRefused { _ = try store.addMember(organization: "Nowhere", user: "alice", role: .member) }
        expectRefused { _ = try store.addMember(organization: "Acme", user: "nobody", role: .member) }
        expectRefused { _ = try store.addProject(organization: "Nowhere", name: "P") }
        expectRefused { _ = try store.addToken(user: "nobody") }
        expectRefused { _ = try store.addMember(organization: "Acme", user: "alice", role: .admin) }
        #expect(throws: StoreError.self) { try store.addUser(name: "   ", email: nil) }
        #expect(throws: StoreError.self) { try store.addProject(organization: "Acme", name: "") }
    }

    @Test func defaultPath() {
        #expect(
            SQLiteStore.defaultPath(environment: ["TASKWIRE_DB": "/tmp/x.sqlite", "HOME": "/home/u"]) == "/tmp/x.sqlite"
        )
        #expect(
            SQLiteStore.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"])
                == "/data/taskwire/taskwire.sqlite"
        )
        #expect(
            SQLiteStore.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/taskwire/taskwire.sqlite"
        )
        #expect(
            SQLiteStore.defaultPath(environment: ["TASKWIRE_DB": "", "XDG_DATA_HOME": "", "HOME": "/h"])
                == "/h/.local/share/taskwire/taskwire.sqlite"
        )
    }
}
