import Foundation
import TaskwireProtocol
import TaskwireSync

/// One line of the results table, and its numbers for the JSON file.
struct Figure {
    let key: String
    let section: String
    let label: String
    let value: String
    var target: String?
    /// Whether the target is met; nil when the figure has no target.
    var met: Bool?
    /// Correctness checks of the measurement itself, such as `lost 0, dup 0`.
    var checks: String?
    var details: JSONObject
}

/// A figure next to what a peer achieved in the same run.
struct PeerComparison {
    let label: String
    let ours: String
    let peer: String
    /// How many times better Taskwire is (above 1: better), whatever the direction of the unit.
    let ratio: Double?
    let note: String?
}

/// What a run found: the figures, peer comparisons, and anything that looked wrong.
final class Results {
    private(set) var figures: [Figure] = []
    private(set) var comparisons: [PeerComparison] = []
    private(set) var problems: [String] = []
    var peerRecords: [JSON] = []

    private var phaseStart = LoadMeter.sample()
    private let runStart = LoadMeter.sample()

    /// Logs the start of a measurement and notes the machine's load, for the figures it adds.
    func begin(_ text: String) {
        log(text)
        phaseStart = LoadMeter.sample()
    }

    /// Adds a figure, with the load from other work since the last ``begin(_:)`` in its details.
    func add(_ figure: Figure) {
        var figure = figure
        let foreign = LoadMeter.foreignCores(from: phaseStart, to: LoadMeter.sample())
        figure.details["foreign_cpu_cores"] = .number(Format.decimal(foreign, places: 2))
        figures.append(figure)
        let status = figure.met.map { $0 ? "meets" : "MISSES" } ?? ""
        let target = figure.target.map { " (target \($0)) \(status)" } ?? ""
        log("  \(figure.label): \(figure.value)\(target); other load \(Format.decimal(foreign, places: 2)) cores")
    }

    /// Average cores busy with other work since the run started.
    func foreignCoresOverall() -> Double {
        LoadMeter.foreignCores(from: runStart, to: LoadMeter.sample())
    }

    func add(_ comparison: PeerComparison) {
        comparisons.append(comparison)
    }

    /// Records something that looks wrong (a lost notification, an error response); printed under the table.
    func problem(_ text: String) {
        problems.append(text)
        log("  problem: \(text)")
    }

    func figure(_ key: String) -> Figure? {
        figures.first { $0.key == key }
    }
}

/// When the run started, for the elapsed time on progress lines.
let launchTime = MonotonicClock.now()

/// Progress goes to stderr, each line with the seconds since the start; the table alone goes to stdout.
func log(_ text: String) {
    let elapsed = Format.decimal(MonotonicClock.seconds(from: launchTime, to: MonotonicClock.now()), places: 1)
    FileHandle.standardError.write(Data("[\(elapsed) s] \(text)\n".utf8))
}
