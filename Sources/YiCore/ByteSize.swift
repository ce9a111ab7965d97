/// Sizes as people write them, the one parser for the command line and pipeline files:
/// `4096`, `"64MiB"`, `"2 GB"`, `"1e9"` — a number with an optional binary (KiB, MiB, GiB, TiB)
/// or decimal (K/KB, M/MB, G/GB, T/TB) suffix, or B.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        let trimmed = String(text.filter { $0 != " " && $0 != "_" })
        let suffixes: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
                                            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("K", 1e3), ("M", 1e6),
                                            ("G", 1e9), ("T", 1e12), ("B", 1)]
        var factor = 1.0
        var number = trimmed
        for (suffix, value) in suffixes where trimmed.hasSuffix(suffix) {
            factor = value
            number = String(trimmed.dropLast(suffix.count))
            break
        }
        guard let d = Double(number), d.isFinite, d >= 0, (d * factor).rounded() == d * factor,
              d * factor < 9.2e18 else { return nil }
        return Int64(d * factor)
    }
}
