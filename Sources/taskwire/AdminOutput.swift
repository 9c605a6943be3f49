import TaskwireProtocol
import TaskwireStore

// What the admin commands print, as the README shows it: `--json` prints exactly these objects, in this order.

extension CreatedUser {
    var adminOutput: JSONObject { ["id": .string(user.id), "name": .string(user.name), "token": .string(token)] }
}

extension IssuedToken {
    var adminOutput: JSONObject { ["userId": .string(userID), "token": .string(token)] }
}

extension Organization {
    var adminOutput: JSONObject { ["id": .string(id), "name": .string(name)] }
}

extension Membership {
    var adminOutput: JSONObject {
        ["userId": .string(userID), "organizationId": .string(organizationID), "role": .string(role.rawValue)]
    }
}

extension Project {
    /// The project as the protocol shows it.
    var adminOutput: JSONObject { json.objectValue ?? [:] }
}
