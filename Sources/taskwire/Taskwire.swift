import ArgumentParser
import Foundation
import TaskwireProtocol
import TaskwireStore

@main
struct Taskwire: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "taskwire",
        abstract: "Live, shared tasks for editors and scripts, over JSON-RPC 2.0 on stdio.",
        version: version,
        subcommands: [
            ServeCommand.self, MCPCommand.self, AdminCommands.self, DoctorCommand.self, CallCommand.self,
            ReplayCommand.self,
            WatchCommand.self,
            BoardCommand.self,
            DemoCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    /// A command named in full (`taskwire serve …`, `taskwire admin user add …`) is parsed by that command alone.
    /// Parsed from the root, its options were gathered by reflection again at each step (the root's default
    /// subcommand, `serve`, is asked about each time), and a debug build of the parser validates them each time:
    /// four times the rest of a debug host's start-up (callgrind: 259M → 131M instructions for `serve` answering one
    /// `ping`; in a release build 41.9M → 38.9M). The commands on the way are groups without options of their own,
    /// so what that command alone accepts is what the whole tree accepts; anything it does not (help, a mistake, a
    /// name it does not know) goes the whole way, and is reported exactly as before.
    static func main() {
        var command: any ParsableCommand.Type = Self.self
        var arguments = Array(CommandLine.arguments.dropFirst())[...]
        while let name = arguments.first,
            let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == name })
        {
            command = next
            arguments = arguments.dropFirst()
        }
        if command != Self.self, command.configuration.subcommands.isEmpty,
            var parsed = try? command.parseAsRoot(Array(arguments)), !(parsed is any AsyncParsableCommand)
        {
            do {
                try parsed.run()
            } catch {
                Self.exit(withError: error)
            }
            return
        }
        Self.main(nil)
    }
}

/// Prints an admin result: the JSON object with `--json`, else a readable line per field.
func printAdminOutput(_ output: JSONObject, json: Bool) {
    if json {
        print(JSON.object(output).text)
    } else if output.isEmpty {
        print("done")
    } else {
        for member in output {
            let value: String
            if case .string(let text) = member.value { value = text } else { value = member.value.text }
            print("\(member.key): \(value)")
        }
    }
}

/// A mistake in a command's input, reported on stderr with exit code 1.
struct AdminFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Prints a failure on stderr and ends with exit code 1, as the README says of every command.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("taskwire: \(message)\n".utf8))
    return ExitCode.failure
}

/// Runs an admin action, turning its failure into a message on stderr and exit code 1.
func runAdmin(_ body: () throws -> JSONObject, json: Bool) throws {
    do {
        printAdminOutput(try body(), json: json)
    } catch let error as StoreError {
        throw fail(error.description)
    } catch let error as AdminFailure {
        throw fail(error.description)
    } catch {
        throw fail("cannot open the database: \(error)")
    }
}
