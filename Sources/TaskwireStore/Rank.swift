/// Ranks: the order of cards within a column, as strings compared byte by byte (fractional indexing).
///
/// A rank is an integer part and a fraction. The integer part's first character tells its length: `a`…`z` are
/// non-negative integers of 1…26 base-62 digits after the head, `Z`…`A` negative ones of 1…26 digits, so that
/// integers of every size sort correctly as strings. The fraction never ends in the smallest digit, so a rank
/// always exists between any two, and before any. Appending to a column increments the integer part, which
/// grows by one character per factor of 62; inserting into a gap bisects the fraction, which grows by one
/// character per five or six insertions into the same gap (``Rank/respace(count:after:before:)`` then makes room).
public enum Rank {
    /// The base-62 digits in byte order.
    static let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let zero = digits[0]
    private static let base = digits.count
    /// The rank of the first card of an empty column.
    public static let first = "a0"

    /// Whether `text` is a rank this algorithm made: a valid integer part and a fraction that does not end in
    /// the smallest digit. Ranks read from storage are checked with it before new ones are computed from them.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let length = integerLength(bytes.first), bytes.count >= length else { return false }
        guard bytes.allSatisfy({ digitValue($0) != nil }) else { return false }
        if bytes.count > length && bytes.last == zero { return false }
        // The smallest integer has nothing before it.
        return !(bytes[0] == UInt8(ascii: "A") && bytes.count == length && bytes[1...].allSatisfy { $0 == zero })
    }

    /// A rank strictly between `lower` and `upper` (nil: unbounded on that side), as short as this scheme allows.
    ///
    /// - Precondition: both are valid ranks and `lower < upper`.
    public static func between(_ lower: String?, _ upper: String?) -> String {
        let lower = lower.map { Array($0.utf8) }
        let upper = upper.map { Array($0.utf8) }
        return String(decoding: between(lower, upper), as: UTF8.self)
    }

    /// `count` ranks in increasing order strictly between `lower` and `upper`, spread evenly so that each gap
    /// keeps room: the way to respace a crowded stretch of a column.
    public static func respace(count: Int, after lower: String?, before upper: String?) -> [String] {
        var ranks: [String] = []
        ranks.reserveCapacity(count)
        fill(count, lower, upper, into: &ranks)
        return ranks
    }

    private static func fill(_ count: Int, _ lower: String?, _ upper: String?, into ranks: inout [String]) {
        guard count > 0 else { return }
        if lower == nil || upper == nil {
            // Unbounded on one side: consecutive integers (or fractions next to the bound), which stay short.
            var previous = lower
            var made: [String] = []
            if lower == nil, let upper {
                var next = upper
                for _ in 0..<count {
                    next = between(nil, next)
                    made.append(next)
                }
                ranks += made.reversed()
                return
            }
            for _ in 0..<count {
                let next = between(previous, nil)
                made.append(next)
                previous = next
            }
            ranks += made
            return
        }
        let middle = between(lower, upper)
        let left = (count - 1) / 2
        fill(left, lower, middle, into: &ranks)
        ranks.append(middle)
        fill(count - 1 - left, middle, upper, into: &ranks)
    }

    // MARK: The algorithm

    private static func between(_ lower: [UInt8]?, _ upper: [UInt8]?) -> [UInt8] {
        switch (lower, upper) {
        case (nil, nil):
            return Array(first.utf8)
        case (nil, let upper?):
            let (integer, fraction) = split(upper)
            if isSmallestInteger(integer) { return integer + midpoint([], fraction) }
            if !fraction.isEmpty { return integer }
            // The smallest integer was excluded above, so there is always one below.
            return decrement(integer) ?? integer + midpoint([], fraction)
        case (let lower?, nil):
            let (integer, fraction) = split(lower)
            return increment(integer) ?? integer + midpoint(fraction, nil)
        case (let lower?, let upper?):
            let (lowerInteger, lowerFraction) = split(lower)
            let (upperInteger, upperFraction) = split(upper)
            if lowerInteger == upperInteger { return lowerInteger + midpoint(lowerFraction, upperFraction) }
            if let next = increment(lowerInteger), next.lexicographicallyPrecedes(upper) { return next }
            return lowerInteger + midpoint(lowerFraction, nil)
        }
    }

    /// A fraction strictly between two fractions (`upper` nil: below 1), never ending in the smallest digit.
    private static func midpoint(_ lower: [UInt8], _ upper: [UInt8]?) -> [UInt8] {
        if let upper {
            // Skip the common prefix, reading a missing digit of `lower` as zero.
            var shared = 0
            while shared < upper.count, (shared < lower.count ? lower[shared] : zero) == upper[shared] {
                shared += 1
            }
            if shared > 0 {
                return Array(upper[..<shared])
                    + midpoint(Array(lower.dropFirst(shared)), Array(upper.dropFirst(shared)))
            }
        }
        let low = lower.first.flatMap(digitValue) ?? 0
        let high = upper.flatMap { $0.first.flatMap(digitValue) } ?? base
        if high - low > 1 {
            return [digits[(low + high + 1) / 2]]
        }
        // Adjacent digits: keep the upper one when more follows it, or descend below 1 after the lower one.
        if let upper, upper.count > 1 { return [upper[0]] }
        return [digits[low]] + midpoint(Array(lower.dropFirst()), nil)
    }

    private static func split(_ rank: [UInt8]) -> (integer: [UInt8], fraction: [UInt8]) {
        let length = integerLength(rank.first) ?? rank.count
        return (Array(rank[..<length]), Array(rank[length...]))
    }

    /// The length of an integer part, head included, from its head.
    private static func integerLength(_ head: UInt8?) -> Int? {
        guard let head else { return nil }
        switch head {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(head - UInt8(ascii: "a")) + 2
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(UInt8(ascii: "Z") - head) + 2
        default: return nil
        }
    }

    private static func isSmallestInteger(_ integer: [UInt8]) -> Bool {
        integer.count == 27 && integer[0] == UInt8(ascii: "A") && integer[1...].allSatisfy { $0 == zero }
    }

    private static func increment(_ integer: [UInt8]) -> [UInt8]? {
        var head = integer[0]
        var body = Array(integer[1...])
        var index = body.count - 1
        while index >= 0 {
            let value = digitValue(body[index])! + 1
            if value < base {
                body[index] = digits[value]
                return [head] + body
            }
            body[index] = zero
            index -= 1
        }
        // Every digit carried: the next length.
        if head == UInt8(ascii: "Z") { return Array(first.utf8) }
        if head == UInt8(ascii: "z") { return nil }
        head += 1
        if head > UInt8(ascii: "a") { body.append(zero) } else { body.removeLast() }
        return [head] + body
    }

    private static func decrement(_ integer: [UInt8]) -> [UInt8]? {
        var head = integer[0]
        var body = Array(integer[1...])
        var index = body.count - 1
        let largest = digits[base - 1]
        while index >= 0 {
            let value = digitValue(body[index])!
            if value > 0 {
                body[index] = digits[value - 1]
                return [head] + body
            }
            body[index] = largest
            index -= 1
        }
        if head == UInt8(ascii: "a") { return [UInt8(ascii: "Z"), largest] }
        if head == UInt8(ascii: "A") { return nil }
        head -= 1
        if head < UInt8(ascii: "Z") { body.append(largest) } else { body.removeLast() }
        return [head] + body
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A")) + 10
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a")) + 36
        default: nil
        }
    }
}
