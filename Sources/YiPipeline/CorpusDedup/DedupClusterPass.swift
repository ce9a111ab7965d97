import Foundation
import YiCore
import YiReaders

/// Pass 3, once: the links of every key shard are joined into clusters (connected components:
/// A≈B and B≈C put A, B and C together even if A and C share no key); the first document of a
/// cluster in input order is kept, every other one goes to the drop list with the kept one.
///
/// Memory: a union-find entry (about 50 bytes in a dictionary) per document that has a
/// duplicate or is one; the identities of kept documents are held only until their cluster's
/// last member has been written.
struct DedupClusterPass {
    let parts: [WorkPart]
    let inputs: [(DiscoveredInput, ReaderOptions)]
    let shards: [KeyShard]
    let options: CorpusDedupOptions
    let folder: DedupFolder
    let fingerprint: String

    private struct Disjoint {
        var parent: [UInt64: UInt64] = [:]

        mutating func find(_ x: UInt64) -> UInt64 {
            var root = x
            while let p = parent[root], p != root { root = p }
            var node = x
            while let p = parent[node], p != root { parent[node] = root; node = p }
            return root
        }

        /// The smaller root wins: a cluster's root is its first document in input order.
        mutating func union(_ a: UInt64, _ b: UInt64) {
            let ra = find(a), rb = find(b)
            guard ra != rb else { return }
            if ra < rb { parent[rb] = ra; if parent[ra] == nil { parent[ra] = ra } }
            else { parent[ra] = rb; if parent[rb] == nil { parent[rb] = rb } }
        }
    }

    func run() throws -> DropListSummary {
        var sets = Disjoint()
        var exactCopies = Set<UInt64>()
        for shard in shards {
            var reader = try WordRecordReader(path: folder.linksPath(shard), width: 2)
            defer { reader.close() }
            while try reader.next() {
                sets.union(reader[0], reader[1])
                if shard.kind == .exact { exactCopies.insert(reader[0]) }
            }
        }
        // Dropped ordinal → kept ordinal, and how many dropped documents each kept one has.
        var keptOf: [UInt64: UInt64] = [:]
        var members: [UInt64: Int] = [:]
        for node in Array(sets.parent.keys) {
            let root = sets.find(node)
            if root != node { keptOf[node] = root; members[root, default: 0] += 1 }
        }
        sets = Disjoint()

        var summary = DropListSummary(clusters: members.count)
        var kept: [UInt64: JSONValue] = [:]
        for part in parts {
            let writer = try AtomicFileWriter(path: folder.dropPath(part: part.index))
            var dropped = 0
            var local = 0
            try forEachLine(folder.docsPath(part: part.index)) { line in
                let ordinal = DedupSignaturePass.ordinal(part: part.index, local: local)
                local += 1
                let isKept = members[ordinal] != nil
                guard isKept || keptOf[ordinal] != nil else {
                    summary.count(source: nil, line: line, dropped: false)
                    return
                }
                let fields = try JSONParser.parse(line)
                guard case .array(let f) = fields, f.count == 4 else {
                    throw YiError(.corruptInput, "not a document record", context: .init(path: folder.docsPath(part: part.index)))
                }
                let identity: JSONValue = .object([("source", f[0]), ("path", f[1]), ("position", f[2]), ("id", f[3]),
                                                   ("ordinal", .int(Int64(bitPattern: ordinal)))])
                if isKept {
                    kept[ordinal] = identity
                    summary.count(source: f[0].stringValue, line: line, dropped: false)
                    return
                }
                let head = keptOf[ordinal]!
                guard let keptIdentity = kept[head] else {
                    throw YiError(.outputState, "inconsistent dedup folder: cluster head \(head) not seen before its member \(ordinal)", context: .init(path: folder.path))
                }
                let method = exactCopies.contains(ordinal) ? "exact" : "near"
                var out = ""
                JSONWriter.write(.object([("source", f[0]), ("path", f[1]), ("position", f[2]), ("id", f[3]),
                                          ("ordinal", .int(Int64(bitPattern: ordinal))), ("method", .string(method)),
                                          ("cluster", .int(Int64(bitPattern: head))), ("kept", keptIdentity)]), into: &out)
                out.append("\n")
                try writer.write(out)
                dropped += 1
                summary.count(source: f[0].stringValue, line: line, dropped: true, exact: method == "exact")
                members[head]! -= 1
                if members[head] == 0 { kept[head] = nil; members[head] = nil }
            }
            try writer.commit()
            var paths: [String] = []
            for (input, _) in inputs[part.inputs] where paths.last != input.path { paths.append(input.path) }
            summary.parts.append(.object([("name", .string(part.name)), ("paths", .array(paths.map { .string($0) })),
                                          ("documents", .int(Int64(local))), ("dropped", .int(Int64(dropped)))]))
        }
        return summary
    }

    private func forEachLine(_ path: String, _ body: (String) throws -> Void) throws {
        guard let handle = fopen(path, "rb") else { throw YiError(.io, "cannot open", context: .init(path: path), cause: errnoText()) }
        defer { fclose(handle) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while true {
            let n = getline(&buffer, &capacity, handle)
            if n < 0 { break }
            try body(String(cString: buffer!).trimmingCharacters(in: .newlines))
        }
    }
}

/// The counts `drop-list.json` reports.
struct DropListSummary {
    var clusters: Int
    var documents = 0
    var dropped = 0
    var droppedExact = 0
    var parts: [JSONValue] = []
    /// Source → (documents, dropped); sources of documents outside any cluster are counted from
    /// the signatures markers instead (they are not parsed here).
    var droppedBySource: [String: Int] = [:]

    init(clusters: Int) { self.clusters = clusters }

    mutating func count(source: String?, line: String, dropped: Bool, exact: Bool = false) {
        documents += 1
        guard dropped else { return }
        self.dropped += 1
        if exact { droppedExact += 1 }
        if let source { droppedBySource[source, default: 0] += 1 }
    }
}
