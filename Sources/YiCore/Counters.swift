/// Named event counts (`documents.in`, `dropped.too-short`, `tokens.out`, ...).
///
/// Each stage counts into its own value; the pipeline merges them and the manifest stores the
/// sorted result, which `yi-prep stats` reads back.
public struct Counters: Sendable, Equatable {
    public private(set) var values: [String: Int] = [:]

    public init(_ values: [String: Int] = [:]) { self.values = values }

    public subscript(name: String) -> Int { values[name, default: 0] }

    public mutating func add(_ name: String, _ amount: Int = 1) {
        values[name, default: 0] += amount
    }

    public mutating func merge(_ other: Counters) {
        for (name, amount) in other.values { values[name, default: 0] += amount }
    }

    /// Counters whose name starts with `prefix` (e.g. "rejected."), prefix removed.
    public func withPrefix(_ prefix: String) -> [(String, Int)] {
        values.filter { $0.key.hasPrefix(prefix) }
            .map { (String($0.key.dropFirst(prefix.count)), $0.value) }
            .sorted { $0.0 < $1.0 }
    }

    /// Deterministic order for output.
    public var sorted: [(String, Int)] { values.sorted { $0.key < $1.key } }

    public var json: JSONValue { .object(sorted.map { ($0.0, .int(Int64($0.1))) }) }
}
