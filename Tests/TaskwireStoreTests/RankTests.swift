import Testing

@testable import TaskwireStore

/// A column held in memory, read as a store reads one, for placement without a database.
private final class MemoryColumn: ColumnReader {
    var cards: [RankedCard] = []
    var movingID: String?

    func cards(from start: RankedCard?, ascending: Bool, including: Bool, limit: Int) -> [RankedCard] {
        let others = cards.filter { $0.id != movingID }.sorted { $0.precedes($1) }
        let ordered = ascending ? others : others.reversed()
        guard let start else { return Array(ordered.prefix(limit)) }
        return Array(
            ordered.filter {
                if $0 == start { return including }
                return ascending ? start.precedes($0) : $0.precedes(start)
            }.prefix(limit)
        )
    }

    func neighbour(id: String) -> NeighbourCard? {
        cards.first { $0.id == id }.map { NeighbourCard(card: $0, projectID: "p", status: .todo) }
    }

    /// Applies a placement as a store writes it.
    func apply(_ placement: Placement, to id: String) {
        for card in placement.respaced {
            cards[cards.firstIndex { $0.id == card.id }!].rank = card.rank
        }
        if let index = cards.firstIndex(where: { $0.id == id }) {
            cards[index].rank = placement.rank
        } else {
            cards.append(RankedCard(id: id, rank: placement.rank))
        }
    }

    var order: [String] { cards.sorted { $0.precedes($1) }.map(\.id) }

    func add(_ id: String) throws {
        movingID = nil
        apply(try ColumnPlacement.bottom(in: self), to: id)
    }

    func move(_ id: String, after: String? = nil, before: String? = nil) throws {
        movingID = id
        let card = cards.first { $0.id == id }
        apply(
            try ColumnPlacement.move(
                card,
                projectID: "p",
                status: .todo,
                afterID: after,
                beforeID: before,
                movingID: id,
                in: self
            ),
            to: id
        )
    }
}

@Suite struct RankTests {
    private static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    @Test func betweenIsStrictlyBetweenAndValid() {
        var generator = SystemRandomNumberGenerator()
        var ranks = [Rank.first]
        for _ in 0..<5000 {
            let index = Int.random(in: 0...ranks.count, using: &generator)
            let lower = index > 0 ? ranks[index - 1] : nil
            let upper = index < ranks.count ? ranks[index] : nil
            let rank = Rank.between(lower, upper)
            #expect(Rank.isValid(rank), "\(rank)")
            if let lower { #expect(Self.precedes(lower, rank), "\(lower) < \(rank)") }
            if let upper { #expect(Self.precedes(rank, upper), "\(rank) < \(upper)") }
            ranks.insert(rank, at: index)
        }
    }

    @Test func appendingStaysShort() {
        var last: String?
        for _ in 0..<100_000 {
            let next = Rank.between(last, nil)
            if let last { #expect(Self.precedes(last, next)) }
            last = next
        }
        #expect(last!.utf8.count <= 4, "\(last!)")
        var first: String?
        for _ in 0..<10_000 { first = Rank.between(nil, first) }
        #expect(first!.utf8.count <= 4 && Rank.isValid(first!), "\(first!)")
    }

    @Test func respacedRanksAreOrderedAndBounded() {
        for (lower, upper) in [(nil, nil), ("a0", "a1"), ("a0V", nil), (nil, "Zz"), ("a0zzzzzzzz", "a1")]
            as [(String?, String?)]
        {
            for count in [1, 2, 7, 64, 500] {
                let ranks = Rank.respace(count: count, after: lower, before: upper)
                #expect(ranks.count == count)
                for (a, b) in zip([lower].compactMap { $0 } + ranks, ranks + [upper].compactMap { $0 }) where a != b {
                    #expect(Self.precedes(a, b), "\(a) < \(b) between \(lower ?? "-") and \(upper ?? "-")")
                }
                #expect(ranks.allSatisfy(Rank.isValid))
            }
        }
    }

    @Test func refusesWhatItDidNotMake() {
        for text in ["", "a", "a00", "b0", "!0", "a0 ", "A000000000000000000000000000", "é0"] {
            #expect(!Rank.isValid(text), "\(text)")
        }
        for text in ["a0", "a0V", "Zz", "b00", "A000000000000000000000000001"] {
            #expect(Rank.isValid(text), "\(text)")
        }
    }

    /// The issue's worst case: every move goes into the same gap, which halves each time.
    @Test func thousandMovesIntoOneGapKeepRanksShort() throws {
        let column = MemoryColumn()
        for index in 0..<50 { try column.add("t\(index)") }
        var expected = column.order
        var respacings = 0
        for index in 0..<1000 {
            // Alternately after t10 and before the card just placed: always the same, shrinking gap.
            let id = "m\(index)"
            try column.add(id)
            expected.append(id)
            let moving = expected.firstIndex(of: id)!
            expected.remove(at: moving)
            let target = expected.firstIndex(of: "t10")! + 1
            expected.insert(id, at: target)
            let ranksBefore = Dictionary(uniqueKeysWithValues: column.cards.map { ($0.id, $0.rank) })
            try column.move(id, after: "t10")
            if column.cards.contains(where: { $0.id != id && ranksBefore[$0.id] != $0.rank }) { respacings += 1 }
            #expect(column.order == expected)
        }
        let longest = column.cards.map(\.rank.utf8.count).max()!
        #expect(longest <= ColumnPlacement.longestRank, "longest rank \(longest)")
        // Rare: a respacing buys several more moves into the gap.
        #expect(respacings < 50, "\(respacings) respacings")
    }

    @Test func randomMovesKeepTheModelOrder() throws {
        let column = MemoryColumn()
        var expected: [String] = []
        for index in 0..<30 {
            try column.add("t\(index)")
            expected.append("t\(index)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let id = expected.randomElement(using: &generator)!
            expected.removeAll { $0 == id }
            let slot = Int.random(in: 0...expected.count, using: &generator)
            let after = slot > 0 ? expected[slot - 1] : nil
            let before = slot < expected.count ? expected[slot] : nil
            switch Int.random(in: 0..<3, using: &generator) {
            case 0 where after != nil: try column.move(id, after: after)
            case 1 where before != nil: try column.move(id, before: before)
            default:
                if after == nil && before == nil {
                    try column.move(id)
                } else {
                    try column.move(id, after: after, before: before)
                }
            }
            expected.insert(id, at: slot)
            #expect(column.order == expected)
        }
        #expect(column.cards.allSatisfy { $0.rank.utf8.count <= ColumnPlacement.longestRank })
    }

    @Test func neighboursAreChecked() throws {
        let column = MemoryColumn()
        for id in ["a", "b", "c"] { try column.add(id) }
        #expect(throws: StoreError.self) { try column.move("a", after: "a") }
        #expect(throws: StoreError.self) { try column.move("a", after: "nope") }
        // b and c are not next to each other once a is counted out? They are; a and c are not.
        try column.move("b", after: "a", before: "c")
        #expect(throws: StoreError.self) { try column.move("c", after: "a", before: "a") }
        #expect(throws: StoreError.self) { try column.move("a", after: "c", before: "b") }
        // A move to where the card already is keeps its rank.
        let rank = column.cards.first { $0.id == "b" }!.rank
        try column.move("b", after: "a")
        #expect(column.cards.first { $0.id == "b" }!.rank == rank)
    }
}
