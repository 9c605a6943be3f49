import Foundation
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// How busy the machine was with work that is not the benchmark's own (other people's builds, say), so that a
/// figure measured on a loaded machine can be recognized as such.
///
/// The machine's busy CPU time comes from `/proc/stat`. The benchmark's own is this process, every descendant still
/// running (hosts, Redis, peer tools, with what they reaped), and the descendants it reaped. Sampled only between
/// measurements, never inside one.
enum LoadMeter {
    struct Sample {
        var machineBusy: Double
        var own: Double
        var time: UInt64
    }

    static func sample() -> Sample {
        Sample(machineBusy: machineBusySeconds(), own: ownSeconds(), time: MonotonicClock.now())
    }

    /// Average cores busy with other work between two samples.
    static func foreignCores(from start: Sample, to end: Sample) -> Double {
        let wall = MonotonicClock.seconds(from: start.time, to: end.time)
        guard wall > 0 else { return 0 }
        return max(0, (end.machineBusy - start.machineBusy) - (end.own - start.own)) / wall
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    private static func ownSeconds() -> Double {
        var total = 0.0
        for who in [RUSAGE_SELF, RUSAGE_CHILDREN] {
            var usage = rusage()
            getrusage(who.rawValue, &usage)
            total += seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        return total + liveDescendantsSeconds()
    }

    /// CPU time of every process descending from this one, including what they reaped themselves.
    private static func liveDescendantsSeconds() -> Double {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var parents: [Int32: Int32] = [:]
        var cpu: [Int32: Double] = [:]
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command: state, ppid, ... utime (12th), stime, cutime, cstime (15th).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 14, let parent = Int32(fields[1]) else { continue }
            parents[pid] = parent
            cpu[pid] = fields[11...14].compactMap { Double($0) }.reduce(0, +) / ticksPerSecond
        }
        let me = getpid()
        var total = 0.0
        for (pid, seconds) in cpu where pid != me {
            var ancestor = parents[pid]
            var depth = 0
            while let current = ancestor, current > 1, current != me, depth < 64 {
                ancestor = parents[current]
                depth += 1
            }
            if ancestor == me { total += seconds }
        }
        return total
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    private static func machineBusySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first
        else { return 0 }
        // cpu  user nice system idle iowait irq softirq steal
        let values = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard values.count == 8 else { return 0 }
        return (values.reduce(0, +) - values[3] - values[4]) / ticksPerSecond
    }
}
