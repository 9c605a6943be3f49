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
