import Foundation
import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The reference tools of the peers folder, run in the same process tree right after our own figures: their stdio
/// JSON-RPC driver against our host, a hand-written asyncio host and `cat`, and their Socket.IO + Redis adapter
/// benchmark. Only their command lines and JSON output are used.
struct PeerBenchmarks {
    let world: BenchWorld
    let scale: Scale
    let results: Results
    /// A writable copy of the peers folder, with its `.venv`.
    let directory: String

    private var python: String { directory + "/.venv/bin/python" }

    func run() throws(BenchError) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchError("\(python) is missing; Scripts/bench.sh --peers sets the peers' venv up")
        }
        let scratch = world.database.directory + "/peers"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let taskwire = try stdioBench(
            label: "taskwire",
            file: "stdio-taskwire",
            command: [world.binary] + world.serveArguments(.redis),
            scratch: scratch
        )
        let asyncio = try stdioBench(
            label: "asyncio JSON-RPC (hand-written)",
            file: "stdio-asyncio",
            command: [python, directory + "/servers/asyncio_jsonrpc_server.py"],
            scratch: scratch
        )
        let cat = try stdioBench(label: "cat (pipe echo)", file: "stdio-cat", command: ["/bin/cat"], scratch: scratch)
        compareStdio(taskwire: taskwire, asyncio: asyncio, cat: cat)
        let socketIO = try socketIOBench(scratch: scratch)
        compareSocketIO(socketIO)
    }

    /// `stdio_rpc_bench.py`: `ping` one at a time and pipelined, each phase in a fresh child.
    private func stdioBench(
        label: String,
        file: String,
        command: [String],
        scratch: String
    ) throws(BenchError) -> [String: JSON] {
        log("peers: stdio_rpc_bench.py against \(label)")
        let output = "\(scratch)/\(file).jsonl"
        try runPython(
            [
                directory + "/stdio_rpc_bench.py", "--label", label, "--quiet-wait", "0",
                "--latency", String(scale.peerLatency), "--pipelined", String(scale.peerPipelined),
                "--json-out", output, "--",
            ] + command
        )
        var phases: [String: JSON] = [:]
        for record in try readRecords(output) {
            results.peerRecords.append(record)
            if let phase = record["phase"]?.stringValue { phases[phase] = record }
        }
        return phases
    }

    /// `socketio_bench.py`: two python-socketio servers sharing a Redis of their own and one SQLite file, receivers
    /// 1, 4 and 16, one at a time (a) and windowed (b).
    private func socketIOBench(scratch: String) throws(BenchError) -> [JSON] {
        log("peers: socketio_bench.py (python-socketio + Redis adapter), \(scale.peerSocketIOEvents) events per run")
        let output = scratch + "/socketio.jsonl"
        try runPython([
            directory + "/socketio_bench.py", "--ks", "1,4,16", "--modes", "a,b",
            "--events", String(scale.peerSocketIOEvents), "--window", String(scale.window), "--quiet-wait", "0",
            "--redis-port", String(try freePort()), "--port-a", String(try freePort()),
            "--port-b", String(try freePort()), "--db", scratch + "/socketio.db", "--logdir",
            scratch + "/socketio-logs",
            "--json-out", output,
        ])
        let records = try readRecords(output)
        results.peerRecords.append(contentsOf: records)
        return records
    }

    private func compareStdio(taskwire: [String: JSON], asyncio: [String: JSON], cat: [String: JSON]) {
        func latency(_ phases: [String: JSON]) -> Double? {
            phases["latency"]?["latency"]?["p50_us"].flatMap(number)
        }
        func rate(_ phases: [String: JSON]) -> Double? {
            phases["pipelined"]?["req_per_s"].flatMap(number)
        }
        let note = "both through the peers' Python driver"
        for (name, peer) in [("asyncio host", asyncio), ("pipe echo (cat)", cat)] {
            if let ours = latency(taskwire), let theirs = latency(peer) {
                results.add(
                    PeerComparison(
                        label: "ping one at a time, p50 — vs \(name)",
                        ours: "\(Format.decimal(ours, places: 1)) µs",
                        peer: "\(Format.decimal(theirs, places: 1)) µs",
                        ratio: theirs / ours,
                        note: note
                    )
                )
            }
            if let ours = rate(taskwire), let theirs = rate(peer) {
                results.add(
                    PeerComparison(
                        label: "ping pipelined — vs \(name)",
                        ours: Format.rate(ours),
                        peer: Format.rate(theirs),
                        ratio: ours / theirs,
                        note: note
                    )
                )
            }
        }
    }

    private func compareSocketIO(_ records: [JSON]) {
        for record in records {
            guard let k = record["k"]?.int64Value, let mode = record["mode"]?.stringValue else { continue }
            let receivers = k == 1 ? "1 receiver" : "\(k) receivers"
            let checks = "Socket.IO lost \(record["lost"]?.text ?? "?"), dup \(record["duplicates"]?.text ?? "?")"
            if mode == "a", let ours = results.figure("fanout_redis_\(k)"),
                let ourLatency = ours.details["latency"], let theirLatency = record["latency_all"],
                let ourP50 = ourLatency["p50_us"].flatMap(number),
                let theirP50 = theirLatency["p50_us"].flatMap(number),
                let ourP99 = ourLatency["p99_us"].flatMap(number), let theirP99 = theirLatency["p99_us"].flatMap(number)
            {
                results.add(
                    PeerComparison(
                        label: "fan-out one at a time, \(receivers): p50 / p99",
                        ours: "\(micro(ourP50)) / \(micro(ourP99))",
                        peer: "\(micro(theirP50)) / \(micro(theirP99))",
                        ratio: theirP50 / ourP50,
                        note: checks
                    )
                )
            } else if mode == "b", let ours = results.figure("delivered_redis_\(k)"),
                let ourRate = ours.details["fully_delivered_per_s"].flatMap(number),
                let theirRate = record["events_per_s"].flatMap(number)
            {
                results.add(
                    PeerComparison(
                        label: "fully delivered/s, \(receivers), ≤ \(scale.window) in flight",
                        ours: Format.rate(ourRate),
                        peer: Format.rate(theirRate),
                        ratio: ourRate / theirRate,
                        note: checks
                    )
                )
            }
        }
    }

    private func micro(_ value: Double) -> String {
        value < 1000 ? "\(Int(value.rounded())) µs" : "\(Format.decimal(value / 1000, places: 2)) ms"
    }

    private func number(_ value: JSON) -> Double? {
        if case .number(let text) = value { return Double(text) }
        return nil
    }

    /// Runs the peers' Python with its output on our stderr (progress), in the peers folder.
    private func runPython(_ arguments: [String]) throws(BenchError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw BenchError("cannot run \(python): \(error)")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            results.problem("peer tool \(arguments[0]) exited with status \(process.terminationStatus)")
        }
    }

    private func readRecords(_ path: String) throws(BenchError) -> [JSON] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchError("the peer tool wrote no results to \(path)")
        }
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    /// A loopback port that was free a moment ago (bound to port 0, read back, closed).
    private func freePort() throws(BenchError) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw BenchError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
