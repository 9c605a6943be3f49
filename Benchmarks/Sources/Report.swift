import Foundation
import TaskwireProtocol

/// The table printed at the end of a run, and the JSON file written beside it.
struct Report {
    let results: Results
    let machine: Machine
    let quick: Bool
    let seconds: Double
    /// The `taskwire` executable measured.
    let binary: String
    /// Average cores busy with other work during the whole run.
    let foreignCores: Double

    /// Other work above this many cores marks a figure as measured on a busy machine.
    static let busyThreshold = 0.25

    /// The table, grouped by section, with targets and the measurement's own checks.
    var table: String {
        var lines: [String] = []
        let mode = quick ? "quick run (--quick: reduced counts)" : "full run"
        lines.append("Taskwire benchmarks: \(mode), \(Format.decimal(seconds, places: 0)) s, host \(binary)")
        lines.append("Machine: \(machine.summary)")
        lines.append(
            "Other load on the machine during the run: \(Format.decimal(foreignCores, places: 2)) cores on average"
                + " (figures measured with more than \(Format.decimal(Self.busyThreshold, places: 2)) are marked)"
        )
        let rows = results.figures.map { figure in
            var checks = [figure.checks].compactMap { $0 }
            if case .number(let text)? = figure.details["foreign_cpu_cores"], let foreign = Double(text),
                foreign > Self.busyThreshold
            {
                checks.append("busy machine: \(text) other cores")
            }
            return [
                figure.label, figure.value, figure.target ?? "",
                figure.met.map { $0 ? "ok" : "MISS" } ?? "", checks.joined(separator: "; "),
            ]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var sections: [String] = []
        for figure in results.figures where !sections.contains(figure.section) { sections.append(figure.section) }
        for section in sections {
            lines.append("")
            lines.append(section)
            for (figure, row) in zip(results.figures, rows) where figure.section == section {
                lines.append("  " + pad(row, widths))
            }
        }
        if !results.comparisons.isEmpty {
            lines.append("")
            lines.append("Peers, measured in this run on this machine (ratio above 1: Taskwire is better)")
            let header = ["", "Taskwire", "peer", "ratio", ""]
            let rows =
                [header]
                + results.comparisons.map {
                    [$0.label, $0.ours, $0.peer, $0.ratio.map(Format.ratio) ?? "", $0.note ?? ""]
                }
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows { lines.append("  " + pad(row, widths)) }
        }
        lines.append("")
        if results.problems.isEmpty {
            lines.append("No lost, duplicated or out-of-order notifications and no error responses.")
        } else {
            lines.append("Problems:")
            for problem in results.problems { lines.append("  - \(problem)") }
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ row: [String], _ widths: [Int]) -> String {
        var cells: [String] = []
        for (cell, width) in zip(row, widths) where width > 0 {
            cells.append(cell + String(repeating: " ", count: width - cell.count))
        }
        var line = cells.joined(separator: "   ")
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    /// Everything measured, as one JSON object.
    var json: JSON {
        var figures = JSONObject()
        for figure in results.figures {
            var object: JSONObject = ["section": .string(figure.section), "label": .string(figure.label)]
            object["value"] = .string(figure.value)
            object["target"] = figure.target.map(JSON.string)
            object["met"] = figure.met.map(JSON.bool)
            object["checks"] = figure.checks.map(JSON.string)
            for member in figure.details { object[member.key] = member.value }
            figures[figure.key] = .object(object)
        }
        let comparisons = results.comparisons.map { comparison -> JSON in
            var object: JSONObject = [
                "label": .string(comparison.label), "taskwire": .string(comparison.ours),
                "peer": .string(comparison.peer),
            ]
            object["ratio"] = comparison.ratio.map { .number(Format.decimal($0, places: 3)) }
            object["note"] = comparison.note.map(JSON.string)
            return .object(object)
        }
        return [
            "date": .string(ISO8601DateFormatter().string(from: Date())),
            "machine": machine.json,
            "quick": .bool(quick),
            "binary": .string(binary),
            "duration_s": .number(Format.decimal(seconds, places: 1)),
            "foreign_cpu_cores": .number(Format.decimal(foreignCores, places: 2)),
            "figures": .object(figures),
            "peers": ["comparisons": .array(comparisons), "records": .array(results.peerRecords)],
            "problems": .array(results.problems.map(JSON.string)),
        ]
    }

    /// Writes the JSON to `DIRECTORY/<timestamp>.json`; returns the path.
    func write(to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let path = "\(directory)/\(formatter.string(from: Date()))\(quick ? "-quick" : "").json"
        try Data((Self.pretty(json, indent: "") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func pretty(_ value: JSON, indent: String) -> String {
        let inner = indent + "  "
        switch value {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let object) where !object.isEmpty:
            let members = object.members.map {
                inner + JSON.string($0.key).text + ": " + pretty($0.value, indent: inner)
            }
            return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return value.text
        }
    }
}

/// What the figures were measured on.
struct Machine {
    let cpuModel: String
    let cores: Int
    let kernel: String
    let memoryGiB: Double

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Machine(
            cpuModel: model,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            kernel: kernel,
            memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        )
    }

    var summary: String {
        "\(cpuModel), \(cores) cores, \(Format.decimal(memoryGiB, places: 0)) GiB, Linux \(kernel)"
    }

    var json: JSON {
        [
            "cpu_model": .string(cpuModel), "cores": .int(cores), "kernel": .string(kernel),
            "memory_gib": .number(Format.decimal(memoryGiB, places: 1)),
        ]
    }
}
