import Foundation
import TaskwireSync

/// Databases on which a transcript `setup` was made once, copied for every transcript with the same setup.
///
/// A setup runs the admin CLI once for each user, organization, member, project and revoked token: a process that
/// starts and opens the database each time, and the suite runs 157 setups of 30 kinds on each store. With templates, each kind of setup is made once per store and run, through the admin CLI as before,
/// into a database of its own; every transcript with that setup then gets a fresh copy of it (the file, or
/// `CREATE DATABASE … TEMPLATE`) and the variables the CLI printed. A copy holds the same rows, ids and tokens as a
/// setup of its own would have made; no transcript sees another's database.
///
/// SQLite templates live in one temporary directory, removed at exit; PostgreSQL templates are databases of the
/// server the transcripts use.
public final class SetupTemplates: Sendable {
    /// A made template: where its database is, and the variables its setup defined.
    struct Template: Sendable {
        var database: String
        var variables: TranscriptVariables
    }

    /// One kind of setup on one store: made by the first transcript that needs it, while the others wait.
    private final class Slot: Sendable {
        let made = Locked<Template?>(nil)
    }

    private let slots = Locked<[String: Slot]>([:])
    private let directory = Locked<String?>(nil)

    public init() {}

    /// The template for `key`, made by `make` (given where to make it) when there is none yet.
    func template(
        key: String,
        store: TranscriptStore,
        make: (String) throws(StepFailure) -> TranscriptVariables
    ) throws(StepFailure) -> Template {
        let slot = slots.withLock { slots in
            if let slot = slots[key] { return slot }
            let slot = Slot()
            slots[key] = slot
            return slot
        }
        let result: Result<Template, StepFailure> = slot.made.withLock { made in
            if let made { return .success(made) }
            do throws(StepFailure) {
                let database = try newTemplateDatabase(store)
                let template = Template(database: database, variables: try make(database))
                made = template
                return .success(template)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Where a new template's database goes: a file path that does not exist yet, or an empty database's URL.
    private func newTemplateDatabase(_ store: TranscriptStore) throws(StepFailure) -> String {
        switch store {
        case .sqlite:
            let directory: String
            do {
                directory = try self.directory.withLock { directory in
                    if let directory { return directory }
                    let made = try TemporaryDatabase.makeDirectory(prefix: "taskwire-setups")
                    directory = made
                    Self.removeAtExit(made)
                    return made
                }
            } catch {
                throw StepFailure("cannot create the setup templates' directory: \(error)")
            }
            return directory + "/\(UUID().uuidString).sqlite"
        case .postgres(let server):
            do {
                return try server.createDatabase()
            } catch {
                throw StepFailure("cannot create a setup template database: \(error)")
            }
        }
    }

    /// Directories of templates to remove when the process exits.
    private static let leftovers = Locked<[String]>([])

    private static func removeAtExit(_ directory: String) {
        let first = leftovers.withLock { list in
            list.append(directory)
            return list.count == 1
        }
        if first {
            atexit {
                for directory in SetupTemplates.leftovers.withLock({ $0 }) {
                    try? FileManager.default.removeItem(atPath: directory)
                }
            }
        }
    }
}
