import TaskwireProtocol

/// What a transcript's `setup` step creates through the admin CLI before any host starts.
public struct TranscriptSetup: Sendable {
    /// A user, whose `id`, `name` and `token` become variables named after it (`alice.token`).
    public struct User: Sendable {
        public var name: String
        public var email: String?
    }

    /// An organization with its owner and further members; `NAME.id` becomes a variable.
    public struct Organization: Sendable {
        public var name: String
        public var owner: String
        /// User names and their roles, in the order written.
        public var members: [(user: String, role: String)]
    }

    /// A project of an organization; `NAME.id` becomes a variable.
    public struct Project: Sendable {
        public var organization: String
        public var name: String
    }

    public var users: [User] = []
    public var organizations: [Organization] = []
    public var projects: [Project] = []
    /// Names of users whose token is revoked after everything is created.
    public var revokedTokens: [String] = []

    init(_ json: JSON) throws(TranscriptStepError) {
        var fields = try StepFields(json, what: "setup")
        for user in try fields.array("users") ?? [] {
            switch user {
            case .string(let name):
                users.append(User(name: name))
            default:
                var userFields = try StepFields(user, what: "setup user")
                users.append(User(name: try userFields.requiredString("name"), email: try userFields.string("email")))
                try userFields.finish()
            }
        }
        for organization in try fields.array("orgs") ?? [] {
            var orgFields = try StepFields(organization, what: "setup org")
            var members: [(user: String, role: String)] = []
            for member in try orgFields.object("members") ?? [:] {
                guard case .string(let role) = member.value else {
                    throw TranscriptStepError("the role of \(member.key) in setup org members must be a string")
                }
                members.append((member.key, role))
            }
            organizations.append(
                Organization(
                    name: try orgFields.requiredString("name"),
                    owner: try orgFields.requiredString("owner"),
                    members: members
                )
            )
            try orgFields.finish()
        }
        for project in try fields.array("projects") ?? [] {
            var projectFields = try StepFields(project, what: "setup project")
            projects.append(
                Project(
                    organization: try projectFields.requiredString("org"),
                    name: try projectFields.requiredString("name")
                )
            )
            try projectFields.finish()
        }
        for name in try fields.array("revokedTokens") ?? [] {
            guard case .string(let name) = name else { throw TranscriptStepError("revokedTokens must hold user names") }
            revokedTokens.append(name)
        }
        try fields.finish()
    }
}
