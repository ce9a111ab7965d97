import YiCore
import YiShards

/// The stage's `min-long-token-share` floor, checked per bucket on what was written (or, for a
/// dry run, on the estimate). Buckets without document tokens are not judged.
public enum LengthPolicyCheck {
    /// One message per bucket below the floor.
    public static func shortfalls(_ floor: LongTokenFloor, buckets: [(name: String, long: LongTokenTally)]) -> [String] {
        buckets.compactMap { bucket in
            guard bucket.long.tokens > 0, let share = bucket.long.share(atLeast: floor.tokens), share < floor.share else { return nil }
            return "\(bucket.name): \(percent(share)) of the tokens come from documents of at least \(floor.tokens) tokens, "
                + "below the stage's min-long-token-share of \(percent(floor.share)). Fix: raise min-doc-tokens, add long documents, "
                + "or lower the floor"
        }
    }

    /// The floor checked on a written stage's shards.
    public static func check(_ floor: LongTokenFloor, outputDirectory: String) throws -> [String] {
        var options = StatsOptions()
        options.longTokenThresholds = [floor.tokens]
        let stats = try StatsCollector.collect(path: outputDirectory, options: options)
        return shortfalls(floor, buckets: stats.buckets.map { ($0.name, $0.long) })
    }

    /// Prints the shortfalls; fails (exit 2) when the floor says `fail: true` or under `--strict`.
    public static func report(_ shortfalls: [String], floor: LongTokenFloor, strict: Bool, log: (String) -> Void) throws {
        for message in shortfalls { log("warning: length policy: \(message)") }
        if let first = shortfalls.first, floor.fail || strict {
            throw YiError(.usage, "length policy: \(first)" + (floor.fail ? "" : " (--strict: a length-policy warning is an error)"))
        }
    }

    static func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
