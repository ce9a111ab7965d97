/// Where the encoder writes ids: a raw buffer sized before encoding starts (a text never has
/// more tokens than normalized bytes), so appending is a store and an increment.
struct TokenSink {
    let base: UnsafeMutablePointer<UInt32>
    var count = 0

    init(base: UnsafeMutablePointer<UInt32>) { self.base = base }

    @inline(__always)
    mutating func append(_ id: UInt32) {
        base[count] = id
        count += 1
    }

    @inline(__always)
    mutating func append(_ ids: UnsafeBufferPointer<UInt32>) {
        // Cached parts are a few ids: a loop beats a memmove call.
        for id in ids {
            base[count] = id
            count += 1
        }
    }

    /// Removes the id at `index`.
    mutating func remove(at index: Int) {
        var i = index
        while i + 1 < count {
            base[i] = base[i + 1]
            i += 1
        }
        count -= 1
    }

    func ids(from start: Int) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(start: base + start, count: count - start)
    }
}

/// Scratch memory for merging one run of symbols, owned by an encoder and grown on demand.
/// Passed by value into the merge functions, so the hot loops read no class properties.
struct MergeWorkspace {
    /// Symbol ids (see `SentencePieceEncoder.splitCharacters`).
    let symbols: UnsafeMutablePointer<Int32>
    /// Byte offset of each character in its segment.
    let offsets: UnsafeMutablePointer<Int32>
    /// Pair values (`PairMergeTable`) of symbols k and k + 1.
    let pairs: UnsafeMutablePointer<UInt64>
    /// Linked list (next, then previous) for heap merging.
    let links: UnsafeMutablePointer<Int32>
    let heap: UnsafeMutablePointer<MergeCandidate>
    /// Symbols it can hold.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        symbols = .allocate(capacity: capacity)
        offsets = .allocate(capacity: capacity)
        pairs = .allocate(capacity: capacity)
        links = .allocate(capacity: capacity * 2)
        heap = .allocate(capacity: capacity * 3)  // n - 1 initial pairs + 2 per merge
    }

    func deallocate() {
        symbols.deallocate()
        offsets.deallocate()
        pairs.deallocate()
        links.deallocate()
        heap.deallocate()
    }
}

/// A proposed merge of two adjacent symbols, ordered like SentencePiece's agenda: higher piece
/// score first, then the leftmost pair.
struct MergeCandidate {
    /// rank << 32 | (UInt32.max - left): larger is better.
    var key: UInt64
    var right: Int32
    var leftSymbol: Int32
    var rightSymbol: Int32
    var merged: Int32

    @inline(__always) var left: Int { Int(UInt32.max - UInt32(truncatingIfNeeded: key)) }
}
