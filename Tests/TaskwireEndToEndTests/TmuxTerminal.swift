import Foundation
import TaskwireClient
import Testing

/// A real terminal for a full-screen program: a detached tmux session on a tmux server of its own (its own socket),
/// driven with `send-keys` and read with `capture-pane`.
///
/// - Important: Call ``kill()`` when done (a `defer` right after creating it): it ends the tmux server and with it
///   the program.
struct TmuxTerminal {
    /// The socket name, unique to this terminal.
    let socket: String

    /// Whether tmux is installed (`Scripts/install-dependencies.sh` installs it).
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
    }

    /// Starts `command` (run by `sh -c`) in a new session of `width`×`height`.
    init(width: Int, height: Int, command: String) throws {
        socket = "taskwire-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        try run(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "sh", "-c", command])
    }

    /// The pane's lines as shown now (one per row), without styles, with trailing spaces removed.
    func capture() throws -> [String] {
        var lines = try run(["capture-pane", "-p"]).split(separator: "\n", omittingEmptySubsequences: false)
        // Every row ends with a newline: the text after the last one is not a row.
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
    }

    /// Types keys: tmux key names (`Enter`, `Escape`, `Left`, `PageDown`) or literal text.
    func send(_ keys: String...) throws {
        try run(["send-keys", "-t", "0"] + keys)
    }

    /// Types `text` literally, character by character.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", "0", "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", "0", "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the pane until `condition` holds for its lines, and returns them; fails the test with the last screen
    /// when it does not within `timeout` (generous: this waits for processes, never measures them).
    @discardableResult
    func waitFor(
        _ what: String,
        timeout: Duration = .seconds(60),
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: ([String]) -> Bool
    ) throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            lines = try capture()
            if condition(lines) { return lines }
            usleep(100_000)
        }
        Issue.record(
            "did not see \(what) within \(timeout); the screen:\n\(lines.joined(separator: "\n"))",
            sourceLocation: sourceLocation
        )
        throw TmuxError(description: "did not see \(what)")
    }

    /// Ends the tmux server and every program in it.
    func kill() {
        _ = try? run(["kill-server"])
    }

    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        try ChildProcess.output(of: ["/usr/bin/tmux", "-L", socket] + arguments, timeout: .seconds(30))
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
}
