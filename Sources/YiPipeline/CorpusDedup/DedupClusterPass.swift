import Foundation
import YiCore
import YiReaders

/// Pass 3: the links of every key shard become clusters (connected components: A≈B and B≈C put
/// A, B and C together even if A and C share no key); the first document of a cluster in input
/// order is kept, every other one goes to the drop list with the kept one.
///
/// Distributed and in bounded memory: every step is a set of units (one per vertex shard, or per
/// link shard for the first) that sort what the previous step addressed to them with the
/// `ExternalSorter` (`--memory`) and address their output to the next step's units
/// (`ShuffleWriter`). Ranks take shares of each step and meet at its completion markers
/// (`.done/clusters/<unit>.json`), exactly as between passes.
///
/// 1. `edges-<link shard>`: each link (document, the key's first document) becomes an edge of
///    the graph, sent to the vertex shards of both ends; exact links also mark their document as
///    an exact copy for the drop step.
/// 2. `round-RRR-SSSS`, R = 1, 2, ...: alternating Large-Star (odd R) and Small-Star (even R)
///    rounds (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014), each a
///    group-by-vertex. They end after a Large-Star and the Small-Star after it both changed no
///    edge (the markers count the changes): then every component is a star around its smallest
///    ordinal, the first document in input order.
/// 3. `roots-SSSS`: the stars' (root, member) pairs, sent to the root's part shard.
/// 4. `kept-SSSS`: the pairs sorted by root, joined with the `docs/` lines of the roots' parts to
///    find each kept document's line; sent to the member's part shard.
/// 5. `drop-SSSS`: sorted by member, joined with the members' `docs/` lines, written as
///    `drop/part-P.jsonl` in input order.
///
/// In the rounds a vertex's shard is a hash of it (balanced whatever the parts); in the joins it
/// is its part modulo the shard count (`--key-shards`), so each `docs/` file is read front to
/// back by one unit. The result depends only on the links: every unit sorts its whole input by
/// all words, whoever wrote it.
struct DedupClusterPass {
    let parts: [WorkPart]
    let linkShards: [KeyShard]
    let options: CorpusDedupOptions
    let folder: DedupFolder
    let fingerprint: String
    /// Waits until every named unit of this pass is marked done (other ranks' shares included).
    let awaitUnits: ([String]) throws -> Void
    let log: @Sendable (String) -> Void

    /// Rounds after which the pass gives up (the algorithm needs O(log² n)).
    static let maximumRounds = 200
    /// The index-in-part bits of an ordinal (`DedupSignaturePass.ordinal`).
    private static let localMask: UInt64 = (1 << 40) - 1

    private var shardCount: Int { options.keyShards }
    private var shards: [Int] { Array(0..<shardCount) }
    /// The shard of a vertex in the star rounds: a hash, so rounds are balanced however few the parts.
    private func vertexShard(_ ordinal: UInt64) -> Int { Int(SplitMix64.mix(ordinal) % UInt64(shardCount)) }
    /// The shard of a document in the joins: its part's, so each `docs/` file is read by one unit.
    private func partShard(_ ordinal: UInt64) -> Int { Int((ordinal >> 40) % UInt64(shardCount)) }
    private static func digits(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    private func shardName(_ s: Int) -> String { Self.digits(s, 4) }
    private func roundName(_ round: Int) -> String { "round-" + Self.digits(round, 3) }
    private var work: String { folder.join("cc") }

    /// Memory for sorting; a quarter of `--memory` more is shared by the output buffers.
    private var sortBytes: Int { options.memoryBytes / 2 }
    private var bufferBytes: Int { max(4096, min(1 << 20, options.memoryBytes / 4 / max(1, shardCount))) }

    /// Runs this rank's share of every step (skipping marked units) and waits for the others.
    /// Returns the number of units run and skipped.
    func run() throws -> (run: Int, skipped: Int) {
        var counts = (run: 0, skipped: 0)
        func unit(_ name: String, _ body: () throws -> [(String, JSONValue)]) throws {
            if folder.marker(.clusters, name, fingerprint: fingerprint) != nil {
                counts.skipped += 1
                return
            }
            let members = try body()
            try folder.writeMarker(.clusters, name, fingerprint: fingerprint, members)
            counts.run += 1
        }
        let mine = options.rank.select(shards, size: { _ in 1 })

        // 1. Links to edges.
        for link in options.rank.select(linkShards, size: { _ in 1 }) {
            try unit("edges-" + link.name) { try scatterLinks(link) }
        }
        try awaitUnits(linkShards.map { "edges-" + $0.name })

        // 2. Star rounds until two in a row change nothing.
        var round = 1
        var previousChanges = -1
        while true {
            for s in mine { try unit(roundName(round) + "-" + shardName(s)) { try star(round: round, shard: s) } }
            let names = shards.map { roundName(round) + "-" + shardName($0) }
            try awaitUnits(names)
            let changes = names.reduce(0) { $0 + Int(folder.marker(.clusters, $1, fingerprint: fingerprint)?["changed"]?.intValue ?? 0) }
            if round % 2 == 0 && changes == 0 && previousChanges == 0 { break }
            previousChanges = changes
            round += 1
            guard round <= Self.maximumRounds else {
                throw YiError(.outputState, "the components of the links did not converge in \(Self.maximumRounds) rounds", context: .init(path: work))
            }
        }

        // 3 and 4. The joins with the documents.
        for s in mine { try unit("roots-" + shardName(s)) { try roots(shard: s, lastRound: round) } }
        try awaitUnits(shards.map { "roots-" + shardName($0) })
        for s in mine { try unit("kept-" + shardName(s)) { try keep(shard: s) } }
        try awaitUnits(shards.map { "kept-" + shardName($0) })
        for s in mine { try unit("drop-" + shardName(s)) { try drop(shard: s) } }
        return counts
    }

    /// The names of the last step's units, whose markers `dropListIndex` sums.
    var dropUnits: [String] { shards.map { "drop-" + shardName($0) } }
    var keptUnits: [String] { shards.map { "kept-" + shardName($0) } }

    // MARK: Steps

    /// Step 1: edges for the first round (Large-Star needs each edge at both of its ends).
    private func scatterLinks(_ link: KeyShard) throws -> [(String, JSONValue)] {
        let unit = "edges-" + link.name
        let edges = ShuffleWriter(path: output(unit), receivers: shardCount, bufferBytes: bufferBytes)
        let exact = link.kind == .exact ? ShuffleWriter(path: output(unit, "exact"), receivers: shardCount, bufferBytes: bufferBytes) : nil
        var reader = try WordRecordReader(path: folder.linksPath(link), width: 2)
        defer { reader.close() }
        var count = 0
        while try reader.next() {
            let (document, first) = (reader[0], reader[1])
            try edges.write(WordPair(document, first), to: vertexShard(document))
            try edges.write(WordPair(first, document), to: vertexShard(first))
            try exact?.write(WordQuad(document, 0, 0, 0), to: partShard(document))
            count += 1
        }
        var members: [(String, JSONValue)] = [("edges", .int(Int64(count))), ("segments", Self.json(try edges.commit()))]
        if let exact { members.append(("exact_segments", Self.json(try exact.commit()))) }
        return members
    }

    /// The output file of a unit (`cc/<unit>.bin`, or `cc/<unit>.<kind>.bin`).
    private func output(_ unit: String, _ kind: String? = nil) -> String {
        (work as NSString).appendingPathComponent(unit + (kind.map { "." + $0 } ?? "") + ".bin")
    }

    private static func json(_ offsets: [Int64]) -> JSONValue { .array(offsets.map { .int($0) }) }

    /// Adds to `sorter` what the units `producers` addressed to shard `s` (their markers give
    /// the byte range in their output).
    private func receive<R: WordRecord>(_ producers: [String], _ kind: String? = nil, shard s: Int,
                                        into sorter: inout ExternalSorter<R>) throws {
        try receive(producers, kind, shard: s) { (record: R) in try sorter.append(record) }
    }

    private func receive<R: WordRecord>(_ producers: [String], _ kind: String? = nil, shard s: Int,
                                        _ take: (R) throws -> Void) throws {
        for unit in producers {
            guard let marker = folder.marker(.clusters, unit, fingerprint: fingerprint),
                  case .array(let offsets)? = marker[kind.map { $0 + "_segments" } ?? "segments"], offsets.count == shardCount + 1,
                  let start = offsets[s].intValue, let end = offsets[s + 1].intValue else {
                throw YiError(.outputState, "inconsistent dedup folder: no segments in the marker of \(unit)", context: .init(path: folder.path))
            }
            guard end > start else { continue }
            var reader = try WordRecordReader(path: output(unit, kind), width: R.width, range: start..<end)
            defer { reader.close() }
            while try reader.next() { try take(R(reader)) }
        }
    }

    /// Step 2, one round on one vertex shard. Input records are `(node, neighbor)` at the node's
    /// shard: both directions for Large-Star, only `(larger, smaller)` for Small-Star.
    private func star(round: Int, shard s: Int) throws -> [(String, JSONValue)] {
        let unit = roundName(round) + "-" + shardName(s)
        let producers = round == 1 ? linkShards.map { "edges-" + $0.name } : shards.map { roundName(round - 1) + "-" + shardName($0) }
        var sorter = ExternalSorter<WordPair>(memoryBytes: sortBytes, runPath: runPath(unit))
        try receive(producers, shard: s, into: &sorter)

        let out = ShuffleWriter(path: output(unit), receivers: shardCount, bufferBytes: bufferBytes)
        let nextIsLarge = (round + 1) % 2 == 1
        var edges = 0, changed = 0
        func emit(_ x: UInt64, _ y: UInt64) throws {
            guard x != y else { return }
            edges += 1
            if nextIsLarge {
                try out.write(WordPair(x, y), to: vertexShard(x))
                try out.write(WordPair(y, x), to: vertexShard(y))
            } else {
                let (larger, smaller) = x > y ? (x, y) : (y, x)
                try out.write(WordPair(larger, smaller), to: vertexShard(larger))
            }
        }
        var node: UInt64?
        var smallest: UInt64 = 0
        var lastNeighbor: UInt64?
        try sorter.drain { edge in
            if edge.a != node {
                node = edge.a
                // Sorted by neighbor: the first one is the smallest.
                smallest = min(edge.a, edge.b)
                lastNeighbor = nil
            }
            guard edge.b != lastNeighbor else { return }   // the same edge reached us twice
            lastNeighbor = edge.b
            if round % 2 == 1 {
                // Large-Star: every larger neighbor is linked to the smallest of the neighborhood.
                guard edge.b > edge.a else { return }
                try emit(edge.b, smallest)
                if smallest != edge.a { changed += 1 }
            } else {
                // Small-Star: the node and its smaller neighbors are linked to the smallest of them.
                if edge.b == smallest {
                    try emit(edge.a, smallest)
                } else {
                    try emit(edge.b, smallest)
                    changed += 1
                }
            }
        }
        let segments = try out.commit()
        // Round R-2's output was read by round R-1 only, which every rank has finished.
        if round > 2 { unlink(output(roundName(round - 2) + "-" + shardName(s))) }
        return [("edges", .int(Int64(edges))), ("changed", .int(Int64(changed))), ("spilled_runs", .int(Int64(sorter.spilledRuns))),
                ("segments", Self.json(segments))]
    }

    /// Step 3a, one vertex shard: the (root, member) pairs of the converged stars, sent to the
    /// root's part shard. The last round sent both directions of every edge; the one from the
    /// smaller end is (root, member).
    private func roots(shard s: Int, lastRound: Int) throws -> [(String, JSONValue)] {
        let out = ShuffleWriter(path: output("roots-" + shardName(s)), receivers: shardCount, bufferBytes: bufferBytes)
        var pairs = 0
        try receive(shards.map { roundName(lastRound) + "-" + shardName($0) }, shard: s) { (edge: WordPair) in
            guard edge.a < edge.b else { return }
            try out.write(edge, to: partShard(edge.a))
            pairs += 1
        }
        return [("pairs", .int(Int64(pairs))), ("segments", Self.json(try out.commit()))]
    }

    /// Step 3b, one part shard: the (root, member) pairs whose root is in this shard's parts,
    /// sorted by root and joined with the roots' `docs/` lines; sends (member, 1, root, line
    /// offset) to the member's part shard.
    private func keep(shard s: Int) throws -> [(String, JSONValue)] {
        var sorter = ExternalSorter<WordPair>(memoryBytes: sortBytes, runPath: runPath("kept-" + shardName(s)))
        try receive(shards.map { "roots-" + shardName($0) }, shard: s, into: &sorter)
        let out = ShuffleWriter(path: output("kept-" + shardName(s)), receivers: shardCount, bufferBytes: bufferBytes)
        var docs: DocsLineReader?
        defer { docs?.close() }
        var root: UInt64?
        var offset: Int64 = 0
        var clusters = 0
        try sorter.drain { pair in
            if pair.a != root {
                root = pair.a
                clusters += 1
                let part = Int(pair.a >> 40), local = Int(pair.a & Self.localMask)
                if docs?.part != part {
                    docs?.close()
                    docs = try DocsLineReader(path: folder.docsPath(part: part), part: part)
                }
                offset = try docs!.skip(to: local)
            }
            try out.write(WordQuad(pair.b, 1, pair.a, UInt64(offset)), to: partShard(pair.b))
        }
        return [("clusters", .int(Int64(clusters))), ("spilled_runs", .int(Int64(sorter.spilledRuns))),
                ("segments", Self.json(try out.commit()))]
    }

    /// Step 5, one part shard: writes the drop files of its parts. Input, sorted by member:
    /// (member, 0, 0, 0) for exact copies and (member, 1, root, offset of root's line).
    private func drop(shard s: Int) throws -> [(String, JSONValue)] {
        var sorter = ExternalSorter<WordQuad>(memoryBytes: sortBytes, runPath: runPath("drop-" + shardName(s)))
        try receive(shards.map { "kept-" + shardName($0) }, shard: s, into: &sorter)
        try receive(linkShards.filter { $0.kind == .exact }.map { "edges-" + $0.name }, "exact", shard: s, into: &sorter)

        let myParts = parts.filter { $0.index % shardCount == s }
        var next = 0
        var writer: AtomicFileWriter?
        var docs: DocsLineReader?
        var roots = DocsLineCache(folder: folder)
        defer { docs?.close(); roots.close() }
        var droppedByPart: [(String, JSONValue)] = []
        var dropped = 0, droppedInPart = 0, droppedExact = 0
        var droppedBySource: [String: Int] = [:]

        /// Finishes the open part's drop file and opens the next one's.
        func advance() throws {
            if let writer {
                try writer.commit()
                droppedByPart.append((myParts[next - 1].name, .int(Int64(droppedInPart))))
            }
            docs?.close()
            docs = nil
            writer = next < myParts.count ? try AtomicFileWriter(path: folder.dropPath(part: myParts[next].index)) : nil
            droppedInPart = 0
            next += 1
        }
        try advance()
        var exactMember: UInt64?
        var lastWritten: UInt64?
        try sorter.drain { record in
            let member = record.a
            if record.b == 0 { exactMember = member; return }
            guard member != lastWritten else { return }
            lastWritten = member
            let part = Int(member >> 40), local = Int(member & Self.localMask)
            while next - 1 < myParts.count && myParts[next - 1].index < part { try advance() }
            guard next - 1 < myParts.count, myParts[next - 1].index == part, let writer else {
                throw YiError(.outputState, "inconsistent dedup folder: document \(member) is in no part of this run", context: .init(path: folder.path))
            }
            if docs == nil { docs = try DocsLineReader(path: folder.docsPath(part: part), part: part) }
            _ = try docs!.skip(to: local)
            guard let line = try docs!.next() else {
                throw YiError(.outputState, "inconsistent dedup folder: document \(member) is missing", context: .init(path: folder.docsPath(part: part)))
            }
            let fields = try Self.fields(line, path: docs!.path)
            let keptFields = try Self.fields(try roots.line(part: Int(record.c >> 40), offset: Int64(record.d)), path: folder.path)
            let kept: JSONValue = .object([("source", keptFields[0]), ("path", keptFields[1]), ("position", keptFields[2]),
                                           ("id", keptFields[3]), ("ordinal", .int(Int64(bitPattern: record.c)))])
            let method = exactMember == member ? "exact" : "near"
            var out = ""
            JSONWriter.write(.object([("source", fields[0]), ("path", fields[1]), ("position", fields[2]), ("id", fields[3]),
                                      ("ordinal", .int(Int64(bitPattern: member))), ("method", .string(method)),
                                      ("cluster", .int(Int64(bitPattern: record.c))), ("kept", kept)]), into: &out)
            out.append("\n")
            try writer.write(out)
            dropped += 1
            droppedInPart += 1
            if method == "exact" { droppedExact += 1 }
            if let source = fields[0].stringValue { droppedBySource[source, default: 0] += 1 }
        }
        while next - 1 < myParts.count { try advance() }
        return [("dropped", .int(Int64(dropped))), ("dropped_exact", .int(Int64(droppedExact))),
                ("parts", .object(droppedByPart)),
                ("sources", .object(droppedBySource.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                ("spilled_runs", .int(Int64(sorter.spilledRuns)))]
    }

    private func runPath(_ unit: String) -> (Int) -> String {
        let base = (work as NSString).appendingPathComponent("sort-" + unit + "-run-")
        let pid = getpid()
        return { base + "\($0).tmp-\(pid)" }
    }

    /// A `docs/` line: `[source, path, position, id]`.
    private static func fields(_ line: String, path: String) throws -> [JSONValue] {
        guard case .array(let f) = try JSONParser.parse(line), f.count == 4 else {
            throw YiError(.corruptInput, "not a document record", context: .init(path: path))
        }
        return f
    }
}
