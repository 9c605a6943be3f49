import Foundation

/// Which output of a tool ``runTool(_:_:reading:)`` returns.
enum ToolStream {
    /// Its stdout; its stderr goes to the benchmark's own.
    case output
    /// Its stderr; its stdout is discarded.
    case errors
}

/// Runs `executable` with `arguments` to its end: its exit status and what it wrote on `stream`.
func runTool(
    _ executable: String,
    _ arguments: [String],
    reading stream: ToolStream
) throws(BenchError) -> (status: Int32, text: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    switch stream {
    case .output:
        process.standardOutput = pipe
    case .errors:
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
    }
    do {
        try process.run()
    } catch {
        throw BenchError("cannot run \(executable): \(error)")
    }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

extension BenchWorld {
    /// Runs the `sqlite3` shell on the run's SQLite database with `command` (SQL, or `.read FILE`), stopping at the
    /// first error and waiting up to 10 s for a lock, as the seeding of the listing and search benchmarks does.
    func sqlite3(_ command: String) throws(BenchError) {
        let (status, errors) = try runTool(
            "/usr/bin/env",
            ["sqlite3", "-bail", "-cmd", ".timeout 10000", database.path, command],
            reading: .errors
        )
        guard status == 0 else {
            throw BenchError("seeding with sqlite3 failed (is the sqlite3 command installed?): \(errors)")
        }
    }
}
