/// Splits the sorted inputs of a run into *parts*: consecutive groups of inputs of about
/// `targetBytes` each. An input is a whole file or a slice of a file larger than `targetBytes`
/// (`InputPlan` cuts those first), so a 50 GB file spreads over many parts. A part is the unit of resumption and of distribution: it is packed on its
/// own (its packer starts empty and is flushed at its end), writes its own shards and a
/// completion marker. Because parts depend only on the inputs and `targetBytes` — not on the
/// number of ranks or threads — a distributed run produces the same bytes as a single run, and a
/// rerun skips finished parts.
///
/// The price of flushing at part ends is at most one partly filled sequence per bucket per part,
/// which is why parts are large (default 1 GiB of input).
public struct WorkPart: Sendable, Equatable {
    public var index: Int
    /// Indices into the run's input list (whole files and slices).
    public var inputs: Range<Int>
    public var bytes: Int64

    /// The name used for files: `part-00042`.
    public var name: String { WorkPart.name(index) }

    public static func name(_ index: Int) -> String {
        let digits = String(index)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    public static func plan(sizes: [Int64], targetBytes: Int64) -> [WorkPart] {
        precondition(targetBytes > 0)
        var parts: [WorkPart] = []
        var start = 0
        var bytes: Int64 = 0
        for (i, size) in sizes.enumerated() {
            bytes += size
            if bytes >= targetBytes {
                parts.append(WorkPart(index: parts.count, inputs: start..<(i + 1), bytes: bytes))
                start = i + 1
                bytes = 0
            }
        }
        if start < sizes.count || parts.isEmpty {
            parts.append(WorkPart(index: parts.count, inputs: start..<sizes.count, bytes: bytes))
        }
        return parts
    }
}
