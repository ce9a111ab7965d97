/// Longest-prefix matching of USER_DEFINED pieces (SentencePiece's `PrefixMatcher`).
///
/// A byte trie: the root's children in a 256-entry table (which doubles as the "can a user
/// defined piece start with this byte" filter), deeper children as sorted edge lists. Like
/// SentencePiece, only the first 64 matching prefixes (shortest first) are considered.
struct UserDefinedMatcher: Sendable {
    /// Root child node per first byte, -1 for none.
    let rootChild: FrozenBuffer<Int32>
    /// Per node: first edge index and edge count.
    let edgeStart: FrozenBuffer<Int32>
    let edgeCount: FrozenBuffer<Int32>
    /// Per node: the id of the piece that ends here, or -1.
    let terminalID: FrozenBuffer<Int32>
    let edgeByte: FrozenBuffer<UInt8>
    let edgeTarget: FrozenBuffer<Int32>
    let isEmpty: Bool

    /// SentencePiece keeps at most this many trie results per lookup (`kResultSize`).
    static let maxResults = 64

    init(pieces: [(bytes: [UInt8], id: Int32)]) {
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
        rootChild = FrozenBuffer(root)
        edgeStart = FrozenBuffer(starts)
        edgeCount = FrozenBuffer(counts)
        terminalID = FrozenBuffer(terminal)
        edgeByte = FrozenBuffer(bytes)
        edgeTarget = FrozenBuffer(targets)
    }

    /// Whether some user-defined piece starts with this byte.
    @inline(__always)
    func mayStart(with byte: UInt8) -> Bool { rootChild[Int(byte)] >= 0 }

    /// The length and id of the longest user-defined piece that prefixes `p[0..<count]`
    /// (within SentencePiece's 64-result limit), or nil.
    @inline(__always)
    func match(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, id: Int32)? {
        guard count > 0 else { return nil }
        var node = Int(rootChild[Int(p[0])])
        if node < 0 { return nil }
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
            let byte = p[i]
            let start = Int(edgeStart[node])
            let end = start + Int(edgeCount[node])
            var next = -1
            var e = start
            while e < end {
                let b = edgeByte[e]
                if b == byte { next = Int(edgeTarget[e]); break }
                if b > byte { break }
                e += 1
            }
            if next < 0 { return best }
            node = next
            i += 1
        }
    }
}
