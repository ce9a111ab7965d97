/// Longest-prefix matching of USER_DEFINED pieces (SentencePiece's `PrefixMatcher`).
///
/// A byte trie: the root's children in a 256-entry table (which doubles as the "can a user
/// defined piece start with this byte" filter), deeper children as sorted edge lists. Like
/// SentencePiece, only the first 64 matching prefixes (shortest first) are considered.
struct UserDefinedMatcher: @unchecked Sendable {
    /// Root child node per first byte, -1 for none.
    let rootChild: UnsafeMutablePointer<Int32>
    /// Per node: first edge index and edge count.
    let edgeStart: UnsafeMutablePointer<Int32>
    let edgeCount: UnsafeMutablePointer<Int32>
    /// Per node: the id of the piece that ends here, or -1.
    let terminalID: UnsafeMutablePointer<Int32>
    let edgeByte: UnsafeMutablePointer<UInt8>
    let edgeTarget: UnsafeMutablePointer<Int32>
    /// Per node: -1, or (for nodes with many children) the start of its 256-entry child table
    /// in `denseChildren`, which spares the linear scan of its edges.
    let denseStart: UnsafeMutablePointer<Int32>
    let denseChildren: UnsafeMutablePointer<Int32>
    let isEmpty: Bool
    /// Nodes with more children than this get a dense child table.
    static let denseThreshold = 4
    /// Per first byte: true when some piece starting with it is shorter than 4 bytes (then
    /// only the trie can tell), false when all are at least 4 bytes long (then the 4-byte
    /// prefix filter can reject without walking the trie).
    let hasShortPiece: UnsafeMutablePointer<Bool>
    /// Open-addressing set of the first 4 bytes (little-endian UInt32) of pieces of 4 bytes
    /// or more; 0 marks an empty slot (no piece starts with a NUL byte).
    let prefixSlots: UnsafeMutablePointer<UInt32>
    let prefixMask: Int

    /// The pieces that are one character and start no longer piece: where the text has such a
    /// character, the longest match is that piece, so the encoder emits it without the trie
    /// (CJK punctuation, digits, `,` `.` and newlines in the Yi model). Indexed by piece id.
    let standsAlone: SymbolBits
    /// The first bytes of those pieces: elsewhere (`▁` before each word) the trie is asked
    /// straight away.
    let standsAloneLead: SymbolBits

    /// SentencePiece keeps at most this many trie results per lookup (`kResultSize`).
    static let maxResults = 64

    /// - Parameter symbolCount: the model's number of symbol ids (`standsAlone` covers them all).
    init(storage: TableStorage, pieces: [(bytes: UnsafeBufferPointer<UInt8>, id: Int32)], symbolCount: Int) {
        isEmpty = pieces.isEmpty
        // Build a pointer-free trie first: per node, a sorted child map.
        var children: [[(UInt8, Int32)]] = [[]]
        var terminal: [Int32] = [-1]
        for (bytes, id) in pieces where !bytes.isEmpty {
            var node = 0
            for byte in bytes {
                if let next = children[node].first(where: { $0.0 == byte })?.1 {
                    node = Int(next)
                } else {
                    let next = Int32(children.count)
                    children.append([])
                    terminal.append(-1)
                    children[node].append((byte, next))
                    node = Int(next)
                }
            }
            terminal[node] = id
        }
        var alone = Set<Int32>()
        for (bytes, id) in pieces where !bytes.isEmpty && SentencePieceUTF8.validCharLength(bytes.baseAddress!, bytes.count) == bytes.count {
            var node = 0
            for byte in bytes { node = Int(children[node].first { $0.0 == byte }!.1) }
            if children[node].isEmpty && terminal[node] == id { alone.insert(id) }
        }
        standsAlone = SymbolBits(storage: storage, count: symbolCount, members: alone)
        standsAloneLead = SymbolBits(storage: storage, count: 256,
                                     members: pieces.filter { alone.contains($0.id) }.map { Int32($0.bytes[0]) })
        var root = [Int32](repeating: -1, count: 256)
        for (byte, target) in children[0] { root[Int(byte)] = target }
        var starts: [Int32] = []
        var counts: [Int32] = []
        var bytes: [UInt8] = []
        var targets: [Int32] = []
        for node in 0..<children.count {
            let sorted = children[node].sorted { $0.0 < $1.0 }
            starts.append(Int32(bytes.count))
            counts.append(Int32(sorted.count))
            for (byte, target) in sorted {
                bytes.append(byte)
                targets.append(target)
            }
        }
        var short = [Bool](repeating: false, count: 256)
        var prefixes: Set<UInt32> = []
        for (bytes, _) in pieces where !bytes.isEmpty {
            if bytes.count < 4 {
                short[Int(bytes[0])] = true
            } else {
                prefixes.insert(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
            }
        }
        var slotCount = 16
        while slotCount < prefixes.count * 4 { slotCount <<= 1 }
        let slots = storage.allocate(slotCount, repeating: UInt32(0))
        for prefix in prefixes {
            var slot = Self.mix(prefix) & (slotCount - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = prefix
        }
        var dense: [Int32] = []
        var denseStarts = [Int32](repeating: -1, count: children.count)
        for node in 0..<children.count where children[node].count > Self.denseThreshold {
            denseStarts[node] = Int32(dense.count)
            var table = [Int32](repeating: -1, count: 256)
            for (byte, target) in children[node] { table[Int(byte)] = target }
            dense += table
        }
        denseStart = storage.copy(denseStarts)
        denseChildren = storage.copy(dense)
        hasShortPiece = storage.copy(short)
        prefixSlots = slots
        prefixMask = slotCount - 1
        rootChild = storage.copy(root)
        edgeStart = storage.copy(starts)
        edgeCount = storage.copy(counts)
        terminalID = storage.copy(terminal)
        edgeByte = storage.copy(bytes)
        edgeTarget = storage.copy(targets)
    }

    /// Whether some user-defined piece starts with this byte.
    @inline(__always)
    func mayStart(with byte: UInt8) -> Bool { rootChild[Int(byte)] >= 0 }

    /// The bytes that can follow `prefix` inside a user-defined piece, or nil when a
    /// user-defined piece is `prefix` or a part of it. Where the text has `prefix` followed by
    /// none of these bytes, no user-defined piece matches: the encoder uses this to pass the
    /// space symbol (before every English word) without asking the trie.
    func bytesContinuing(_ prefix: [UInt8]) -> [UInt8]? {
        guard let first = prefix.first else { return nil }
        var node = Int(rootChild[Int(first)])
        for byte in prefix.dropFirst() {
            guard node >= 0 else { return [] }
            if terminalID[node] >= 0 { return nil }
            node = child(of: node, byte)
        }
        guard node >= 0 else { return [] }
        if terminalID[node] >= 0 { return nil }
        let start = Int(edgeStart[node])
        return (start..<(start + Int(edgeCount[node]))).map { edgeByte[$0] }
    }

    /// The child of `node` along `byte`, or -1: from the node's dense table when it has one,
    /// else from its sorted edges.
    @inline(__always)
    private func child(of node: Int, _ byte: UInt8) -> Int {
        let dense = Int(denseStart[node])
        if dense >= 0 { return Int(denseChildren[dense + Int(byte)]) }
        let start = Int(edgeStart[node])
        let end = start + Int(edgeCount[node])
        var e = start
        while e < end {
            let b = edgeByte[e]
            if b == byte { return Int(edgeTarget[e]) }
            if b > byte { break }
            e += 1
        }
        return -1
    }

    @inline(__always)
    /// The home slot bits of a prefix: the high half of a 64-bit product depends on every
    /// byte (a 32-bit product's low bits ignore the last bytes, and prefixes such as `</h1`,
    /// `</h2` or `▁a`, `▁b` differ only there).
    static func mix(_ prefix: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(prefix) &* 0x9E37_79B9_7F4A_7C15) >> 40) }

    /// The length and id of the longest user-defined piece that prefixes `p[0..<count]`
    /// (within SentencePiece's 64-result limit), or nil.
    @inline(__always)
    func match(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, id: Int32)? {
        guard count > 0 else { return nil }
        var node = Int(rootChild[Int(p[0])])
        if node < 0 { return nil }
        if !hasShortPiece[Int(p[0])] {
            // Every candidate is 4+ bytes long: reject unless the text's first 4 bytes start one.
            if count < 4 { return nil }
            let prefix = UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
            var slot = Self.mix(prefix) & prefixMask
            while true {
                let stored = prefixSlots[slot]
                if stored == prefix { break }
                if stored == 0 { return nil }
                slot = (slot + 1) & prefixMask
            }
        }
        var best: (length: Int, id: Int32)?
        var results = 0
        var i = 1
        while true {
            let id = terminalID[node]
            if id >= 0 {
                best = (i, id)
                results += 1
                if results == Self.maxResults { return best }
            }
            if i == count { return best }
            let next = child(of: node, p[i])
            if next < 0 { return best }
            node = next
            i += 1
        }
    }
}
