import Foundation
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// `taskwire-bench`: the performance suite of Benchmarks/README.md. Run it through `Scripts/bench.sh`.
@main
struct TaskwireBench {
    static func main() {
        do {
            try run()
        } catch {
            log("taskwire-bench: \(error)")
            exit(1)
        }
    }

    private static func run() throws {
        // A host that dies mid-run must surface as an error on write, not kill the benchmark.
        signal(SIGPIPE, SIG_IGN)
        let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        let scale = options.quick ? Scale.quick : Scale.full
        let binary = try options.binary ?? besideThisExecutable()
        let started = launchTime
        let results = Results()
        log("taskwire-bench: \(binary)\(options.quick ? " (quick)" : "")")
        do {
            let world = try BenchWorld(binary: binary)
            let requests = RequestBenchmarks(
                world: world,
                scale: scale,
                results: results,
                updateFloor: options.updateFloor
            )
            let fanOut = FanOutBenchmarks(world: world, scale: scale, results: results, chainFloor: options.chainFloor)
            let sections: [(String, () throws -> Void)] = [
                ("requests", { try requests.run() }),
                ("fan-out", { try fanOut.run() }),
                ("listing", { try ListingBenchmarks(world: world, scale: scale, results: results).run() }),
                ("search", { try SearchBenchmarks(world: world, scale: scale, results: results).run() }),
            ]
            for (name, section) in sections where options.only == nil || options.only == name {
                do {
                    try section()
                } catch {
                    results.problem("the \(name) benchmarks stopped: \(error)")
                }
            }
            if options.only == nil || options.only?.hasPrefix("postgres") == true {
                runPostgres(binary: binary, scale: scale, only: options.only, results: results)
            }
            if let peers = options.peersDirectory {
                do {
                    try PeerBenchmarks(world: world, scale: scale, results: results, directory: peers).run()
                } catch {
                    results.problem("the peer comparison stopped: \(error)")
                }
            }
        }
        let report = Report(
            results: results,
            machine: Machine.current(),
            quick: options.quick,
            seconds: MonotonicClock.seconds(from: started, to: MonotonicClock.now()),
            binary: binary,
            foreignCores: results.foreignCoresOverall()
        )
        print(report.table)
        let path = try report.write(to: options.resultsDirectory)
        print("\nResults written to \(path)")
    }
}

/// The figures that depend on the store, again on a throwaway PostgreSQL cluster (its own world, started once the
/// SQLite figures are done): `task.update` against `pgbench -N`, fan-out over Redis and over `LISTEN/NOTIFY`.
private func runPostgres(binary: String, scale: Scale, only: String?, results: Results) {
    let world: BenchWorld
    do {
        log("PostgreSQL: starting a throwaway cluster")
        world = try BenchWorld(binary: binary, store: .postgres)
    } catch {
        results.problem("the PostgreSQL benchmarks could not start: \(error)")
        return
    }
    let sections: [(String, () throws -> Void)] = [
        ("requests", { try RequestBenchmarks(world: world, scale: scale, results: results).run() }),
        ("fan-out", { try FanOutBenchmarks(world: world, scale: scale, results: results).run() }),
    ]
    for (name, section) in sections where only == nil || only == "postgres" || only == "postgres-\(name)" {
        do {
            try section()
        } catch {
            results.problem("the PostgreSQL \(name) benchmarks stopped: \(error)")
        }
    }
}

/// The `taskwire` executable in the folder of this one, where `swift build` puts both.
private func besideThisExecutable() throws -> String {
    let path =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let candidate = (path as NSString).deletingLastPathComponent + "/taskwire"
    guard FileManager.default.isExecutableFile(atPath: candidate) else {
        throw BenchError("no taskwire executable at \(candidate); build it or pass --binary")
    }
    return candidate
}
