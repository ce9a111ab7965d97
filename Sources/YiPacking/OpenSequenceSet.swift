/// One bucket's open sequences, sorted by (remaining space, serial) so that best-fit is a binary
/// search: the first entry with enough room is the fullest that fits, ties going to the oldest.
///
/// A sorted array rather than a tree: the set holds at most a window's worth of sequences
/// (hundreds), where one memmove per update costs less than a tree's pointer chasing.
struct OpenSequenceSet {
    private struct Entry {
        var remaining: Int
        var serial: Int
        var sequence: OpenSequence
    }

    private var entries: [Entry] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Tokens already placed into the set's sequences.
    var usedTokens: Int { entries.reduce(0) { $0 + $1.sequence.usedTokens } }

    /// The index of the sequence with the least remaining space that is at least `length`.
    func bestFit(for length: Int) -> Int? {
        let index = lowerBound(remaining: length, serial: Int.min)
        return index < entries.count ? index : nil
    }

    func remaining(at index: Int) -> Int { entries[index].remaining }
    func serial(at index: Int) -> Int { entries[index].serial }

    mutating func insert(_ sequence: OpenSequence) {
        let index = lowerBound(remaining: sequence.remaining, serial: sequence.serial)
        entries.insert(Entry(remaining: sequence.remaining, serial: sequence.serial, sequence: sequence), at: index)
    }

    mutating func remove(at index: Int) -> OpenSequence {
        entries.remove(at: index).sequence
    }

    /// Removes and returns the `count` fullest sequences (least remaining space, oldest first).
    mutating func removeFullest(_ count: Int) -> [OpenSequence] {
        let taken = entries.prefix(count).map(\.sequence)
        entries.removeFirst(taken.count)
        return taken
    }

    /// Removes everything, in the order the sequences were opened.
    mutating func removeAllInOpeningOrder() -> [OpenSequence] {
        let all = entries.map(\.sequence).sorted { $0.serial < $1.serial }
        entries.removeAll()
        return all
    }

    private func lowerBound(remaining: Int, serial: Int) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let entry = entries[mid]
            if entry.remaining < remaining || (entry.remaining == remaining && entry.serial < serial) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }
}
