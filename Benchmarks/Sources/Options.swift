import Foundation

/// The command line of `taskwire-bench`.
struct Options {
    var quick = false
    /// A writable copy of the peers folder, with its `.venv`: run the peer tools too.
    var peersDirectory: String?
    /// Where `<timestamp>.json` is written.
    var resultsDirectory = "Benchmarks/results"
    /// The `taskwire` executable; found beside this one when not given.
    var binary: String?
    /// Only this section of the SQLite figures (`requests`, `fan-out`, `listing`, `search`), and no PostgreSQL ones.
    var only: String?
    /// The compiled `Benchmarks/Floor/chain_floor.c`: measure the chain floor of the fan-out (SQLite, Redis).
    var chainFloor: String?
    /// The compiled `Benchmarks/Floor/update_floor.c`: set the pipelined `task.update` against it.
    var updateFloor: String?

    static let usage = """
        usage: taskwire-bench [--quick] [--peers DIR] [--results DIR] [--binary PATH] [--only SECTION]
                             [--chain-floor PATH] [--update-floor PATH]

          --quick          scaled-down counts: a smoke run of every figure in well under a minute
          --peers DIR      also run the peer tools of DIR (a copy of shared/peers with its .venv) side by side
          --results DIR    where to write <timestamp>.json (default Benchmarks/results)
          --binary PATH    the taskwire executable (default: the one built beside taskwire-bench)
          --only SECTION   only one section: requests, fan-out, listing or search (SQLite), postgres-requests or
                           postgres-fan-out, or postgres for both of PostgreSQL's
          --chain-floor PATH
                           the compiled Benchmarks/Floor/chain_floor.c: also measure the fan-out's floor, the same
                           chain of processes with nothing of the host in them
          --update-floor PATH
                           the compiled Benchmarks/Floor/update_floor.c: also run the pipelined task.update's
                           statements through SQLite's C API and give the host's rate as a fraction of it
        Use Scripts/bench.sh, which installs dependencies and builds in release mode first.
        """

    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var options = Options()
        var remaining = arguments[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let value = remaining.popFirst() else { throw BenchError("\(flag) needs a value\n\(usage)") }
            return value
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--quick": options.quick = true
            case "--peers": options.peersDirectory = try value(argument)
            case "--results": options.resultsDirectory = try value(argument)
            case "--binary": options.binary = try value(argument)
            case "--only": options.only = try value(argument)
            case "--chain-floor": options.chainFloor = try value(argument)
            case "--update-floor": options.updateFloor = try value(argument)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument \(argument)\n\(usage)")
            }
        }
        return options
    }
}

/// How many of everything a run does: the full counts of the issue, or a quick smoke run.
struct Scale {
    var spawns: Int
    var pingWarmup: Int
    var pingOneAtATime: Int
    var pingPipelined: Int
    var getPipelined: Int
    var updatePipelined: Int
    var concurrentHosts = 4
    var concurrentPerHost: Int
    var fanOutWarmup: Int
    /// One-at-a-time updates per receiver count.
    var fanOutOneAtATime: [Int: Int]
    /// Windowed updates per receiver count (1 receiver: the memory run).
    var fanOutWindowed: [Int: Int]
    /// Windowed updates with the local relay (1 receiver).
    var localWindowed: Int
    /// Windowed updates on PostgreSQL, with Redis and with NOTIFY (1 receiver).
    var postgresWindowed: Int
    /// How long `pgbench -N` runs.
    var pgbenchSeconds: Int
    var window = 64
    /// Time limits of one fan-out run: no update is sent after them (a slow host cannot stretch the run).
    var oneAtATimeSeconds = 12.0
    var windowedSeconds = 15.0
    /// The memory run (windowed, 1 receiver) must deliver its 100,000 events: it gets longer.
    var memoryRunSeconds = 45.0
    var listSizes: [Int]
    var listSamples: Int
    /// Peer runs: stdio requests one at a time and pipelined, Socket.IO events per mode.
    var peerLatency: Int
    var peerPipelined: Int
    var peerSocketIOEvents: Int

    static let full = Scale(
        spawns: 20,
        pingWarmup: 500,
        pingOneAtATime: 10_000,
        pingPipelined: 100_000,
        getPipelined: 100_000,
        updatePipelined: 20_000,
        concurrentPerHost: 5_000,
        fanOutWarmup: 50,
        fanOutOneAtATime: [1: 5_000, 4: 5_000, 16: 5_000],
        fanOutWindowed: [1: 100_000, 4: 10_000, 16: 5_000],
        localWindowed: 10_000,
        postgresWindowed: 10_000,
        pgbenchSeconds: 10,
        listSizes: [1_000, 100_000],
        listSamples: 200,
        peerLatency: 10_000,
        peerPipelined: 100_000,
        peerSocketIOEvents: 2_000
    )

    static let quick = Scale(
        spawns: 5,
        pingWarmup: 100,
        pingOneAtATime: 1_000,
        pingPipelined: 10_000,
        getPipelined: 10_000,
        updatePipelined: 2_000,
        concurrentPerHost: 500,
        fanOutWarmup: 20,
        fanOutOneAtATime: [1: 200, 4: 200, 16: 100],
        fanOutWindowed: [1: 5_000, 4: 1_000, 16: 500],
        localWindowed: 1_000,
        postgresWindowed: 1_000,
        pgbenchSeconds: 3,
        listSizes: [1_000, 100_000],
        listSamples: 50,
        peerLatency: 1_000,
        peerPipelined: 10_000,
        peerSocketIOEvents: 300
    )
}
