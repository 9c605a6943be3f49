import ArgumentParser
import Foundation
import Logging
import TaskwireProtocol
import TaskwireStore

#if canImport(Glibc)
import Glibc
#endif

// `admin NOUN list|show|remove|rename` and `admin member set-role`: see and undo, for every noun.

/// The options of a command that reads or changes the database and prints its result.
/// What an admin command tells the hosts of once it is done: the room changes it recorded, and the events it added
/// to a project's log.
enum Announcement {
    case rooms
    case project(String, organization: String?)
}

struct AdminOutputOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(
        help: """
            The hosts' Redis relay (default: $TASKWIRE_REDIS_URL), to tell them of a removal at once rather than at \
            their next look at the database.
            """
    )
    var redis: String?
    @Flag(help: "Print one JSON value on stdout.") var json = false

    /// Runs `body` and prints what it returns: a listing as a table (or a JSON array), an object as aligned
    /// `key: value` lines (or one JSON object). A failure is one line on stderr and exit code 1. With
    /// `announcing`, what the command adds to the logs (of the projects it names) is then told to the hosts
    /// through the relay.
    func run(announcing announcement: Announcement? = nil, _ body: (any AdminStorage) throws -> JSON) throws {
        let value: JSON
        do {
            // Seeing or undoing needs a database that exists: a mistyped path must not create an empty one.
            if !database.isPostgres, !FileManager.default.fileExists(atPath: database.path) {
                throw AdminFailure("no database at \(database.path)")
            }
            var logger = Logger(label: "taskwire")
            logger.logLevel = .error
            let store = try database.open(logger: logger)
            let announcer = try announcement.map { announcement in
                var projects: [String] = []
                if case .project(let project, let organization) = announcement {
                    projects = [try store.projectID(project, organization: organization)]
                }
                return try AdminAnnouncer(store: store, redis: redis, projects: projects)
            }
            value = try body(store)
            announcer?.announce()
        } catch let error as StoreError {
            throw fail(error.description)
        } catch let error as AdminFailure {
            throw fail(error.description)
        } catch {
            throw fail("cannot open the database: \(error)")
        }
        if json {
            print(value.text)
        } else {
            print(AdminTable.render(value), terminator: "")
        }
    }
}

/// Readable output: aligned tables for lists, aligned `key: value` lines for one object.
enum AdminTable {
    static func render(_ value: JSON) -> String {
        switch value {
        case .array(let rows): return table(rows.compactMap(\.objectValue))
        case .object(let object): return lines(object)
        default: return cell(value) + "\n"
        }
    }

    static func cell(_ value: JSON) -> String {
        switch value {
        case .null: "-"
        case .string(let text): text
        default: value.text
        }
    }

    static func table(_ rows: [JSONObject]) -> String {
        guard let first = rows.first else { return "(none)\n" }
        let columns = first.keys
        let cells = [columns] + rows.map { row in columns.map { cell(row[$0] ?? .null) } }
        let widths = columns.indices.map { index in cells.map { $0[index].count }.max() ?? 0 }
        return cells.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }

    static func lines(_ object: JSONObject) -> String {
        let width = object.keys.map(\.count).max() ?? 0
        var out = ""
        var nested: [(String, [JSONObject])] = []
        for member in object {
            if case .array(let rows) = member.value {
                nested.append((member.key, rows.compactMap(\.objectValue)))
                continue
            }
            let value =
                member.value.objectValue.map { inner in
                    inner.map { "\($0.key)=\(cell($0.value))" }.joined(separator: " ")
                } ?? cell(member.value)
            out += member.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value + "\n"
        }
        for (title, rows) in nested {
            out += "\n\(title):\n" + table(rows).split(separator: "\n").map { "  " + $0 + "\n" }.joined()
        }
        return out
    }
}

/// Asks before removing what takes other things with it: without `--yes`, a terminal is asked; anything else is
/// refused with what would go.
func confirmRemoval(of what: String, impact: JSONObject, yes: Bool) throws {
    guard !yes else { return }
    let parts = ["projects", "tasks", "comments", "events"].compactMap { key -> String? in
        guard let count = impact[key]?.int64Value, count > 0 else { return nil }
        return "\(count) \(count == 1 ? String(key.dropLast()) : key)"
    }
    let summary =
        parts.isEmpty
        ? "removing \(what) removes nothing else" : "removing \(what) also removes \(parts.joined(separator: ", "))"
    guard isatty(STDIN_FILENO) != 0 else { throw AdminFailure("\(summary); add --yes to remove it") }
    FileHandle.standardError.write(Data("\(summary). Remove? [y/N] ".utf8))
    guard let answer = readLine()?.lowercased(), answer == "y" || answer == "yes" else {
        throw AdminFailure("nothing removed")
    }
}

enum AdminUserCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List users (id, name, email, created, tokens, organizations).",
            discussion: "Example: taskwire admin user list --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        func run() throws { try output.run { .array(try $0.listUsers().map(JSON.object)) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a user with their memberships.",
            discussion: "Example: taskwire admin user show alice --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The user's name or id.") var user: String
        func run() throws { try output.run { .object(try $0.showUser(user)) } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a user: tokens stop working, memberships end, live sessions are revoked.",
            discussion: """
                The user stays in the history (creator, author, assignee, actor of events); the last owner of an \
                organization cannot be removed. Example: taskwire admin user remove bob --db team.sqlite
                """
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The user's name or id.") var user: String
        @Flag(help: "Do not ask.") var yes = false
        func run() throws { try output.run(announcing: .rooms) { .object(try $0.removeUser(user)) } }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rename",
            abstract: "Rename a user.",
            discussion: "Example: taskwire admin user rename bob robert --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The user's name or id.") var user: String
        @Argument(help: "The new, unique name.") var newName: String
        func run() throws { try output.run { .object(try $0.renameUser(user, to: newName)) } }
    }
}

enum AdminOrgCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List organizations (id, name, created, members, projects).",
            discussion: "Example: taskwire admin org list --json --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        func run() throws { try output.run { .array(try $0.listOrganizations().map(JSON.object)) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show an organization with its members and projects.",
            discussion: "Example: taskwire admin org show Acme --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The organization's name or id.") var org: String
        func run() throws { try output.run { .object(try $0.showOrganization(org)) } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove an organization with its projects, tasks, comments and event logs.",
            discussion: """
                Asks first (or, without a terminal, refuses unless --yes), saying what goes with it. Sessions in \
                its rooms are revoked. Example: taskwire admin org remove Acme --yes --db team.sqlite
                """
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The organization's name or id.") var org: String
        @Flag(help: "Do not ask.") var yes = false
        func run() throws {
            try output.run(announcing: .rooms) { store in
                try confirmRemoval(
                    of: "organization \(org)",
                    impact: try store.organizationRemovalImpact(org),
                    yes: yes
                )
                return .object(try store.removeOrganization(org))
            }
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rename",
            abstract: "Rename an organization.",
            discussion: "Example: taskwire admin org rename Acme \"Acme Corp\" --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The organization's name or id.") var org: String
        @Argument(help: "The new, unique name.") var newName: String
        func run() throws { try output.run { .object(try $0.renameOrganization(org, to: newName)) } }
    }
}

enum AdminMemberCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the members of an organization with their roles.",
            discussion: "Example: taskwire admin member list --org Acme --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Option(help: "The organization's name or id.") var org: String
        func run() throws { try output.run { .array(try $0.listMembers(organization: org).map(JSON.object)) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one member of an organization.",
            discussion: "Example: taskwire admin member show bob --org Acme --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The user's name or id.") var user: String
        @Option(help: "The organization's name or id.") var org: String
        func run() throws { try output.run { .object(try $0.showMember(organization: org, user: user)) } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member: their live sessions leave the organization's rooms (revoked).",
            discussion: """
                The last owner cannot be removed. Example: taskwire admin member remove bob --org Acme --db team.sqlite
                """
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The user's name or id.") var user: String
        @Option(help: "The organization's name or id.") var org: String
        @Flag(help: "Do not ask.") var yes = false
        func run() throws {
            try output.run(announcing: .rooms) { .object(try $0.removeMember(organization: org, user: user)) }
        }
    }

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role",
            abstract: "Change a member's role; the last owner is never demoted.",
            discussion: "Example: taskwire admin member set-role --org Acme --user bob --role admin --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Option(help: "The organization's name or id.") var org: String
        @Option(help: "The user's name or id.") var user: String
        @Option(help: "owner, admin or member.") var role: String
        func run() throws {
            try output.run { store in
                guard let role = Role(rawValue: role) else {
                    throw AdminFailure("--role must be owner, admin or member")
                }
                return .object(try store.setRole(organization: org, user: user, role: role))
            }
        }
    }
}

enum AdminProjectCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List projects, of one organization or all (id, name, organization, tasks, last seq).",
            discussion: "Example: taskwire admin project list --org Acme --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Option(help: "Only this organization's (name or id).") var org: String?
        func run() throws { try output.run { .array(try $0.listProjects(organization: org).map(JSON.object)) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a project, by id or by name.",
            discussion: "Example: taskwire admin project show Website --org Acme --json --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The project's id, or its name.") var project: String
        @Option(help: "The organization (name or id), when several projects have that name.") var org: String?
        func run() throws { try output.run { .object(try $0.showProject(project, organization: org)) } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a project with its tasks and comments; its log ends with project.deleted.",
            discussion: """
                Asks first (or, without a terminal, refuses unless --yes), saying what goes with it. Sessions in \
                its room receive project.deleted. Example: taskwire admin project remove Website --org Acme --yes
                """
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The project's id, or its name.") var project: String
        @Option(help: "The organization (name or id), when several projects have that name.") var org: String?
        @Flag(help: "Do not ask.") var yes = false
        func run() throws {
            try output.run(announcing: .project(project, organization: org)) { store in
                let impact = try store.projectRemovalImpact(project, organization: org)
                try confirmRemoval(of: "project \(project)", impact: impact, yes: yes)
                return .object(try store.removeProject(project, organization: org))
            }
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rename",
            abstract: "Rename a project.",
            discussion: "Example: taskwire admin project rename Website Site --org Acme --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The project's id, or its name.") var project: String
        @Argument(help: "The new name.") var newName: String
        @Option(help: "The organization (name or id), when several projects have that name.") var org: String?
        func run() throws {
            try output.run(announcing: .project(project, organization: org)) {
                .object(try $0.renameProject(project, organization: org, to: newName))
            }
        }
    }
}

enum AdminTokenCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tokens (id, user, created, last used) — never the tokens themselves.",
            discussion: "Example: taskwire admin token list --user alice --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Option(help: "Only this user's (name or id).") var user: String?
        func run() throws { try output.run { .array(try $0.listTokens(user: user).map(JSON.object)) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a token by its id.",
            discussion: "Example: taskwire admin token show tok_… --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The token's id (from token list).") var token: String
        func run() throws { try output.run { .object(try $0.showToken(token)) } }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a token by its id: it no longer authenticates.",
            discussion: "Example: taskwire admin token remove tok_… --db team.sqlite"
        )
        @OptionGroup var output: AdminOutputOptions
        @Argument(help: "The token's id (from token list).") var token: String
        @Flag(help: "Do not ask.") var yes = false
        func run() throws { try output.run { .object(try $0.removeToken(token)) } }
    }
}

enum AdminBackupCommands {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy a SQLite database, consistent at one moment, while hosts keep writing.",
            discussion: """
                The copy holds every change committed before it began, and is checked (PRAGMA quick_check). \
                For PostgreSQL use pg_dump (README, "Backups"). Example:
                  taskwire admin backup --to team-2026-12-02.sqlite --db team.sqlite
                """
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The new file to write.") var to: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            try runAdminBackup(database: database, json: json) {
                // Backing up a mistyped path must not create an empty database and report it as backed up.
                guard FileManager.default.fileExists(atPath: database.path) else {
                    throw AdminFailure("no database at \(database.path)")
                }
                return try SQLiteStore(path: database.path).backup(to: to)
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Bring a backup back into a SQLite database (made when missing).",
            discussion: """
                Stop the hosts first: a database with live sessions is refused unless --force. Example:
                  taskwire admin restore --from team-2026-12-02.sqlite --db team.sqlite
                """
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The backup file.") var from: String
        @Flag(help: "Restore even while hosts hold live sessions on the database.") var force = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            try runAdminBackup(database: database, json: json) {
                try SQLiteStore.restore(from: from, to: database.path, force: force)
            }
        }
    }
}

/// Runs a backup or restore of a SQLite database and prints its report.
private func runAdminBackup(database: DatabaseOptions, json: Bool, _ body: () throws -> JSONObject) throws {
    guard !database.isPostgres else {
        throw fail("backups of PostgreSQL are made with pg_dump and pg_restore (see the README, \"Backups\")")
    }
    try runAdmin(body, json: json)
}
