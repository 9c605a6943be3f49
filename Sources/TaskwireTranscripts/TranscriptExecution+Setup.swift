import TaskwireClient
import TaskwireProtocol

extension TranscriptExecution {
    /// How long one admin command may take.
    static let adminTimeout = Duration.seconds(30)

    /// Creates the users, organizations, memberships and projects of `setup` with the admin CLI.
    func runSetup(_ setup: TranscriptSetup) throws(StepFailure) {
        for user in setup.users {
            var arguments = ["user", "add", "--name", user.name]
            if let email = user.email { arguments += ["--email", email] }
            let created = try admin(arguments)
            try define(user.name, from: created, fields: ["id", "name", "token"], what: "user add")
            if let email = user.email { variables["\(user.name).email"] = .string(email) }
        }
        for organization in setup.organizations {
            let created = try admin(["org", "add", organization.name, "--owner", organization.owner])
            try define(organization.name, from: created, fields: ["id", "name"], what: "org add")
            for member in organization.members {
                _ = try admin([
                    "member", "add", "--org", organization.name, "--user", member.user, "--role", member.role,
                ])
            }
        }
        for project in setup.projects {
            let created = try admin(["project", "add", "--org", project.organization, project.name])
            try define(project.name, from: created, fields: ["id", "name", "organizationId"], what: "project add")
        }
        for name in setup.revokedTokens {
            guard case .string(let token) = variables["\(name).token"] else {
                throw StepFailure("revokedTokens names \(name), which is not a user of this setup")
            }
            _ = try admin(["token", "revoke", token])
        }
    }

    /// Runs `taskwire admin ARGUMENTS --json --db DB` and returns the one JSON object it prints.
    func admin(_ arguments: [String]) throws(StepFailure) -> JSONObject {
        var command = AdminCommand(binary: binary, database: databasePath)
        command.timeout = Self.adminTimeout
        let printed: JSON
        do {
            printed = try command.run(arguments)
        } catch let error as AdminCommandError {
            throw StepFailure("setup: \(error.command) \(error.reason)")
                .adding("stdout", error.stdout)
                .adding("stderr", StepFailure.stderrExcerpt(error.stderr).text)
        } catch {
            throw StepFailure("setup: taskwire admin \(arguments.joined(separator: " ")): \(error)")
        }
        guard case .object(let object) = printed else {
            throw StepFailure(
                "setup: `taskwire admin \(arguments.joined(separator: " "))` did not print one JSON object"
            )
            .adding("stdout", printed.text)
        }
        return object
    }

    /// Defines `NAME.FIELD` for each of `fields`, which the admin command must have printed.
    private func define(_ name: String, from object: JSONObject, fields: [String], what: String) throws(StepFailure) {
        for field in fields {
            guard let value = object[field] else {
                throw StepFailure("setup: `admin \(what)` printed no \(field)").adding(
                    "output",
                    JSON.object(object).prettyText
                )
            }
            let variable = "\(name).\(field)"
            guard variables[variable] == nil else {
                throw StepFailure("setup: the name \(name) is used twice, so ${\(variable)} would be ambiguous")
            }
            variables[variable] = value
        }
    }
}
