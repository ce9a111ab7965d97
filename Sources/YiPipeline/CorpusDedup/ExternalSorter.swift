import Foundation
import YiCore

/// A fixed-width record of little-endian UInt64 words, ordered by all its words (so a sort's
/// output never depends on the order records arrived in).
protocol WordRecord: Comparable {
    static var width: Int { get }
    /// The record at the reader's current position.
    init(_ reader: WordRecordReader)
    /// Appends the record's words (host order; writers store them little-endian).
    func append(to words: inout [UInt64])
}

extension Array where Element == UInt64 {
    /// Writes the words little-endian.
    func writeLittleEndian(to writer: AtomicFileWriter) throws {
        try map(\.littleEndian).withUnsafeBytes { try writer.write($0) }
    }
}

/// Sorts any number of `WordRecord`s in bounded memory: records are gathered in memory up to
/// `memoryBytes`; beyond that, sorted runs are written to disk and merged (k-way) at the end.
/// Used by every sorting step of `yi-prep dedup` (buckets, components, drop-list joins).
struct ExternalSorter<Record: WordRecord> {
    private let chunkRecords: Int
    private let runPath: (Int) -> String
    private var chunk: [Record] = []
    private var runs: [String] = []
    /// Records appended so far.
    private(set) var count = 0
    /// Sorted runs written to disk (0 when everything fitted in memory).
    private(set) var spilledRuns = 0

    /// `runPath(n)` names the n-th spilled run (written atomically, deleted after the merge).
    init(memoryBytes: Int, runPath: @escaping (Int) -> String) {
        // A floor only against absurd budgets; tests use it to spill at every step.
        chunkRecords = max(16, memoryBytes / MemoryLayout<Record>.stride)
        self.runPath = runPath
        // Exactly the budget: growing by doubling could overshoot it by up to 2×; pages never
        // touched (small inputs) cost no memory.
        chunk.reserveCapacity(chunkRecords)
    }

    mutating func append(_ record: Record) throws {
        chunk.append(record)
        count += 1
        if chunk.count >= chunkRecords { try spill() }
    }

    /// Appends every record of a file of `Record`s, or of a byte range of it (a missing file is
    /// an error).
    mutating func append(contentsOf path: String, range: Range<Int64>? = nil) throws {
        var reader = try WordRecordReader(path: path, width: Record.width, range: range)
        defer { reader.close() }
        while try reader.next() { try append(Record(reader)) }
    }

    private mutating func spill() throws {
        chunk.sort()
        let writer = try AtomicFileWriter(path: runPath(runs.count))
        var words: [UInt64] = []
        words.reserveCapacity(1 << 13)
        for record in chunk {
            record.append(to: &words)
            if words.count >= 1 << 13 { try words.writeLittleEndian(to: writer); words.removeAll(keepingCapacity: true) }
        }
        try words.writeLittleEndian(to: writer)
        try writer.commit()
        runs.append(writer.path)
        spilledRuns += 1
        chunk.removeAll(keepingCapacity: true)
    }

    /// Hands every record to `take` in order, then deletes the spilled runs.
    mutating func drain(_ take: (Record) throws -> Void) throws {
        defer {
            for run in runs { unlink(run) }
            runs = []
        }
        if runs.isEmpty {
            chunk.sort()
            for record in chunk { try take(record) }
            chunk = []
            return
        }
        if !chunk.isEmpty { try spill() }
        chunk = []
        // The runs' read blocks share the in-memory budget.
        try Self.merge(runs, blockRecords: min(1 << 12, max(16, chunkRecords / runs.count)), into: take)
    }

    /// K-way merge of sorted run files (a binary heap over the runs' current records).
    private static func merge(_ runs: [String], blockRecords: Int, into take: (Record) throws -> Void) throws {
        var readers = try runs.map { try WordRecordReader(path: $0, width: Record.width, blockRecords: blockRecords) }
        defer { for reader in readers { reader.close() } }
        var heap: [(Record, Int)] = []
        func push(_ item: (Record, Int)) {
            heap.append(item)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i].0 < heap[parent].0 else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }
        func pop() -> (Record, Int) {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l].0 < heap[m].0 { m = l }
                    if r < heap.count && heap[r].0 < heap[m].0 { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
        for n in readers.indices where try readers[n].next() { push((Record(readers[n]), n)) }
        while !heap.isEmpty {
            let (record, n) = pop()
            try take(record)
            if try readers[n].next() { push((Record(readers[n]), n)) }
        }
    }
}

/// Two words: an edge of the components graph `(node, neighbor)`, or a `(root, member)` pair.
struct WordPair: WordRecord {
    static let width = 2
    var a: UInt64
    var b: UInt64

    init(_ a: UInt64, _ b: UInt64) { self.a = a; self.b = b }
    init(_ reader: WordRecordReader) { a = reader[0]; b = reader[1] }
    func append(to words: inout [UInt64]) { words.append(a); words.append(b) }
    static func < (x: WordPair, y: WordPair) -> Bool { (x.a, x.b) < (y.a, y.b) }
}

/// Four words: what the drop-list join knows of a member (see `DedupComponents`).
struct WordQuad: WordRecord {
    static let width = 4
    var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) { self.a = a; self.b = b; self.c = c; self.d = d }
    init(_ reader: WordRecordReader) { a = reader[0]; b = reader[1]; c = reader[2]; d = reader[3] }
    func append(to words: inout [UInt64]) { words.append(a); words.append(b); words.append(c); words.append(d) }
    static func < (x: WordQuad, y: WordQuad) -> Bool { (x.a, x.b, x.c, x.d) < (y.a, y.b, y.c, y.d) }
}
