import ArgumentParser
import TaskwireProtocol
import TaskwireStore

struct AdminCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "See, add, change and remove users, tokens, organizations, members and projects.",
        discussion: """
            Every command takes --db and --json (one JSON value on stdout); X is a name or an id. Example:
              taskwire admin project list --org Acme --db team.sqlite
            """,
        subcommands: [
            UserCommand.self, TokenCommand.self, OrgCommand.self, MemberCommand.self, ProjectCommand.self,
            AdminBackupCommands.Backup.self, AdminBackupCommands.Restore.self,
        ]
    )

    struct UserCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user",
            subcommands: [
                Add.self, AdminUserCommands.List.self, AdminUserCommands.Show.self, AdminUserCommands.Remove.self,
                AdminUserCommands.Rename.self,
            ]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add a user; prints its id and a token (shown once).",
                discussion: "Example: taskwire admin user add --name alice --json --db team.sqlite"
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: "A unique user name.") var name: String
            @Option(help: "An email address.") var email: String?
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin(
                    { try database.openForAdmin().addUser(name: name, email: email).adminOutput },
                    json: json
                )
            }
        }
    }

    struct TokenCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            subcommands: [
                Add.self, Revoke.self, AdminTokenCommands.List.self, AdminTokenCommands.Show.self,
                AdminTokenCommands.Remove.self,
            ]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Create another token for a user (shown once).",
                discussion: "Example: taskwire admin token add --user alice --db team.sqlite"
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: "The user's name or id.") var user: String
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin({ try database.openForAdmin().addToken(user: user).adminOutput }, json: json)
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revoke",
                abstract: "Revoke a token; it fails at the next initialize.",
                discussion:
                    "Example: taskwire admin token revoke tw_… --db team.sqlite (or remove it by id: token remove)"
            )
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The token.") var token: String
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin(
                    {
                        try database.openForAdmin().revokeToken(token)
                        return [:]
                    },
                    json: json
                )
            }
        }
    }

    struct OrgCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org",
            subcommands: [
                Add.self, AdminOrgCommands.List.self, AdminOrgCommands.Show.self, AdminOrgCommands.Remove.self,
                AdminOrgCommands.Rename.self,
            ]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add an organization with its first owner.",
                discussion: "Example: taskwire admin org add Acme --owner alice --db team.sqlite"
            )
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "A unique organization name.") var name: String
            @Option(help: "The owner's name or id.") var owner: String
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin(
                    { try database.openForAdmin().addOrganization(name: name, owner: owner).adminOutput },
                    json: json
                )
            }
        }
    }

    struct MemberCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member",
            subcommands: [
                Add.self, AdminMemberCommands.List.self, AdminMemberCommands.Show.self,
                AdminMemberCommands.Remove.self, AdminMemberCommands.SetRole.self,
            ]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add a member to an organization, or change their role.",
                discussion: "Example: taskwire admin member add --org Acme --user bob --role member --db team.sqlite"
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: "The organization's name or id.") var org: String
            @Option(help: "The user's name or id.") var user: String
            @Option(help: "owner, admin or member.") var role: String
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin(
                    {
                        guard let role = Role(rawValue: role) else {
                            throw AdminFailure("--role must be owner, admin or member")
                        }
                        return try database.openForAdmin().addMember(organization: org, user: user, role: role)
                            .adminOutput
                    },
                    json: json
                )
            }
        }
    }

    struct ProjectCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "project",
            subcommands: [
                Add.self, AdminProjectCommands.List.self, AdminProjectCommands.Show.self,
                AdminProjectCommands.Remove.self, AdminProjectCommands.Rename.self,
            ]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add a project to an organization.",
                discussion: "Example: taskwire admin project add --org Acme Website --db team.sqlite"
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: "The organization's name or id.") var org: String
            @Argument(help: "The project's name.") var name: String
            @Flag(help: "Print one JSON object.") var json = false

            func run() throws {
                try runAdmin(
                    { try database.openForAdmin().addProject(organization: org, name: name).adminOutput },
                    json: json
                )
            }
        }
    }
}
