package import TaskwireProtocol

/// A card of a column as placement sees it.
package struct RankedCard: Sendable, Equatable {
    package var id: String
    package var rank: String

    package init(id: String, rank: String) {
        self.id = id
        self.rank = rank
    }

    /// The column's order: rank, then id.
    func precedes(_ other: RankedCard) -> Bool {
        rank == other.rank
            ? id.utf8.lexicographicallyPrecedes(other.id.utf8) : rank.utf8.lexicographicallyPrecedes(other.rank.utf8)
    }
}

/// A neighbour named by a move, as stored.
package struct NeighbourCard: Sendable {
    package var card: RankedCard
    package var projectID: String
    package var status: TaskStatus

    package init(card: RankedCard, projectID: String, status: TaskStatus) {
        self.card = card
        self.projectID = projectID
        self.status = status
    }
}

/// What placement reads of one column (one project and status) in the open transaction of a write, leaving out
/// the card being placed. Each store answers it with its own SQL.
package protocol ColumnReader {
    /// Up to `limit` cards next to `start` in the column's order: after it when `ascending`, before it otherwise,
    /// nearest first; `start` itself is included when `including`. A nil `start` reads from the top (ascending)
    /// or from the bottom.
    func cards(from start: RankedCard?, ascending: Bool, including: Bool, limit: Int) throws -> [RankedCard]
    /// A task by id wherever it is, or nil.
    func neighbour(id: String) throws -> NeighbourCard?
}

/// Where a card goes, and which cards around it were respaced to make room.
package struct Placement: Sendable {
    /// The card's new rank (its current one when it is already in place).
    package var rank: String
    /// Cards whose rank changes to make room, with their new ranks, in column order.
    package var respaced: [RankedCard]

    package init(rank: String, respaced: [RankedCard]) {
        self.rank = rank
        self.respaced = respaced
    }
}

/// Places cards in columns: shared by the stores, so that both order cards the same way.
package enum ColumnPlacement {
    /// Longer ranks than this are not written: the stretch of the column around the gap is respaced instead.
    package static let longestRank = 12
    /// A respaced stretch must leave every rank at most this long, so that several more insertions fit into
    /// each of its gaps before the next respacing.
    static let respacedRank = 8

    /// The placement of a card moved to a column: after `afterID`, before `beforeID` (both: between them, which
    /// must be next to each other), or at the bottom. `card` is the card's place now when it is already in that
    /// column: a move to where it already is keeps its rank.
    package static func move(
        _ card: RankedCard?,
        projectID: String,
        status: TaskStatus,
        afterID: String?,
        beforeID: String?,
        movingID: String,
        in column: some ColumnReader
    ) throws -> Placement {
        func named(_ id: String, _ field: String) throws -> RankedCard {
            guard id != movingID else { throw StoreError.invalid(field, "is the task being moved") }
            guard let found = try column.neighbour(id: id), found.projectID == projectID else {
                throw StoreError.invalid(field, "not a task of this project")
            }
            guard found.status == status else {
                throw StoreError.invalid(field, "not in the \(status.rawValue) column")
            }
            return found.card
        }
        let lower: RankedCard?
        let upper: RankedCard?
        switch (afterID, beforeID) {
        case (let afterID?, let beforeID?):
            lower = try named(afterID, "afterId")
            upper = try named(beforeID, "beforeId")
            let next = try column.cards(from: lower, ascending: true, including: false, limit: 1).first
            guard next == upper else {
                throw StoreError.invalid("beforeId", "not the task right after afterId in the column")
            }
        case (let afterID?, nil):
            lower = try named(afterID, "afterId")
            upper = try column.cards(from: lower, ascending: true, including: false, limit: 1).first
        case (nil, let beforeID?):
            upper = try named(beforeID, "beforeId")
            lower = try column.cards(from: upper, ascending: false, including: false, limit: 1).first
        case (nil, nil):
            lower = try column.cards(from: nil, ascending: false, including: true, limit: 1).first
            upper = nil
        }
        if let card, lower.map({ $0.precedes(card) }) ?? true, upper.map({ card.precedes($0) }) ?? true,
            Rank.isValid(card.rank)
        {
            return Placement(rank: card.rank, respaced: [])
        }
        return try place(after: lower, before: upper, in: column)
    }

    /// The placement of a new card at the bottom of a column.
    package static func bottom(in column: some ColumnReader) throws -> Placement {
        let last = try column.cards(from: nil, ascending: false, including: true, limit: 1).first
        return try place(after: last, before: nil, in: column)
    }

    /// A rank between two adjacent cards (nil: the column's end), respacing the stretch around the gap when the
    /// rank would be too long (or the stored ranks are not usable).
    static func place(
        after lower: RankedCard?,
        before upper: RankedCard?,
        in column: some ColumnReader
    ) throws
        -> Placement
    {
        if usable(lower, upper) {
            let rank = Rank.between(lower?.rank, upper?.rank)
            if rank.utf8.count <= longestRank { return Placement(rank: rank, respaced: []) }
        }
        // Respace a stretch of `reach` cards on each side of the gap, growing it until its new ranks are short;
        // the whole column always fits, since ranks with no bound on either side are consecutive integers.
        var reach = 4
        while true {
            let below =
                try lower.map { try column.cards(from: $0, ascending: false, including: true, limit: reach + 1) } ?? []
            let above =
                try upper.map { try column.cards(from: $0, ascending: true, including: true, limit: reach + 1) } ?? []
            let outerLow = below.count > reach ? below[reach] : nil
            let outerHigh = above.count > reach ? above[reach] : nil
            let stretch = below.prefix(reach).reversed() + above.prefix(reach)
            let whole = outerLow == nil && outerHigh == nil
            if whole || usable(outerLow, outerHigh) {
                let ranks = Rank.respace(count: stretch.count + 1, after: outerLow?.rank, before: outerHigh?.rank)
                if whole || ranks.allSatisfy({ $0.utf8.count <= respacedRank }) {
                    let gap = below.prefix(reach).count
                    var respaced: [RankedCard] = []
                    for (index, card) in stretch.enumerated() {
                        let rank = ranks[index < gap ? index : index + 1]
                        if rank != card.rank { respaced.append(RankedCard(id: card.id, rank: rank)) }
                    }
                    return Placement(rank: ranks[gap], respaced: respaced)
                }
            }
            reach *= 4
        }
    }

    /// The data of a `task.reranked` event.
    package static func rerankedData(_ placement: Placement, status: TaskStatus) -> JSON {
        [
            "status": .string(status.rawValue),
            "ranks": .array(placement.respaced.map { ["id": .string($0.id), "rank": .string($0.rank)] }),
        ]
    }

    /// The data of a `task.moved` event; `text` is the task's ``TaskItem/encodedJSON``.
    package static func movedData(_ task: TaskItem, _ text: EncodedJSON, from: TaskItem) -> JSON {
        [
            "task": .encoded(text),
            "from": ["status": .string(from.status.rawValue), "rank": .string(from.rank)],
            "to": ["status": .string(task.status.rawValue), "rank": .string(task.rank)],
        ]
    }

    /// Whether ranks can be computed between two stored ranks: both valid and in order.
    private static func usable(_ lower: RankedCard?, _ upper: RankedCard?) -> Bool {
        if let lower, !Rank.isValid(lower.rank) { return false }
        if let upper, !Rank.isValid(upper.rank) { return false }
        if let lower, let upper { return lower.rank.utf8.lexicographicallyPrecedes(upper.rank.utf8) }
        return true
    }
}
