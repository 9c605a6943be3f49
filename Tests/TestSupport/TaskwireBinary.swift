import Foundation

/// Finds the built `taskwire` executable for tests and transcripts.
public enum TaskwireBinary {
    /// The environment variable that names the executable explicitly.
    public static let environmentVariable = "TASKWIRE_BINARY"

    /// The path of `taskwire`: `$TASKWIRE_BINARY` when set, else the build products directory of the running
    /// executable or test bundle (such as `.build/debug/`) or one of its parents.
    public static func locate() throws(TaskwireBinaryError) -> String {
        if let explicit = ProcessInfo.processInfo.environment[environmentVariable], !explicit.isEmpty {
            guard isExecutableFile(explicit) else {
                throw TaskwireBinaryError(description: "\(environmentVariable)=\(explicit) is not an executable file")
            }
            return explicit
        }
        var searched: [String] = []
        for start in startingPoints() {
            var directory = URL(fileURLWithPath: start).deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent("taskwire").path
                if isExecutableFile(candidate) { return candidate }
                searched.append(directory.path)
                let parent = directory.deletingLastPathComponent()
                guard parent.path != directory.path else { break }
                directory = parent
            }
        }
        throw TaskwireBinaryError(
            description: """
                cannot find the taskwire executable; build it with `swift build` or set \(environmentVariable). \
                Searched: \(searched.joined(separator: ", "))
                """
        )
    }

    /// Paths of the running executable and bundle, resolved through symbolic links.
    private static func startingPoints() -> [String] {
        var points: [String] = []
        if let first = CommandLine.arguments.first, first.contains("/") {
            points.append(first)
        }
        if let executable = Bundle.main.executablePath { points.append(executable) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            points.append(bundle.bundlePath)
        }
        var seen = Set<String>()
        return points.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }.filter {
            seen.insert($0).inserted
        }
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return FileManager.default.isExecutableFile(atPath: path)
    }
}

/// Why the `taskwire` executable could not be found.
public struct TaskwireBinaryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
