import TaskwireProtocol

/// Percentiles of a set of durations, by nearest rank (the method of the peers' drivers, so figures compare).
struct LatencySummary {
    var count: Int
    var p50: UInt64
    var p90: UInt64
    var p99: UInt64
    var p999: UInt64
    var max: UInt64
    var mean: UInt64

    init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func rank(_ percent: Double) -> UInt64 {
            let position = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, position))]
        }
        count = sorted.count
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        p999 = rank(99.9)
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / UInt64(sorted.count)
    }

    /// The summary in microseconds, for the JSON results.
    var json: JSON {
        func micro(_ value: UInt64) -> JSON { .number(Format.decimal(Double(value) / 1000, places: 1)) }
        return [
            "n": .int(count), "p50_us": micro(p50), "p90_us": micro(p90), "p99_us": micro(p99),
            "p999_us": micro(p999), "max_us": micro(max), "mean_us": micro(mean),
        ]
    }
}
