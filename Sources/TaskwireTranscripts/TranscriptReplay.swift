import Foundation

/// Runs transcript files and directories of them, reporting each as it goes: the `taskwire replay` command.
public enum TranscriptReplay {
    /// Runs every transcript named by `paths` (directories are searched recursively for `*.jsonl`) against
    /// `binary`, writes `PASS path` or `FAIL path` with the report for each and a summary line to `output`, and
    /// returns whether all passed. A path that does not exist counts as a failure.
    public static func run(
        paths: [String],
        binary: String,
        store: TranscriptStore = .sqlite,
        output: (String) -> Void
    ) -> Bool {
        let runner = TranscriptRunner(binary: binary, store: store)
        var passed = 0
        var failed = 0
        for path in paths {
            let files: [String]
            do throws(ReplayError) {
                files = try transcriptFiles(at: path)
            } catch {
                output("FAIL \(path)\n  \(error)")
                failed += 1
                continue
            }
            for file in files {
                let result = runner.run(path: file)
                if result.passed {
                    output("PASS \(file)")
                    passed += 1
                } else {
                    output("FAIL \(file)\n" + StepFailure.indent(result.report, by: "  "))
                    failed += 1
                }
            }
        }
        output("\(passed) passed, \(failed) failed")
        return failed == 0
    }

    /// The transcripts at `path`: the file itself, or every `*.jsonl` under the directory, sorted by path.
    public static func transcriptFiles(at path: String) throws(ReplayError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReplayError(description: "no such file or directory: \(path)")
        }
        guard isDirectory.boolValue else { return [path] }
        // Listing a symbolic link to a directory would yield nothing: list its target.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: target) else {
            throw ReplayError(description: "cannot list the directory \(path)")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".jsonl") else { continue }
            var entryIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + relative, isDirectory: &entryIsDirectory),
                !entryIsDirectory.boolValue
            {
                files.append(base + relative)
            }
        }
        return files.sorted()
    }
}

/// A replay path that cannot be read.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
