import YiCore

/// Which slice of the inputs this process handles in a distributed run.
///
/// Defaults come from the cluster engine: Slurm job arrays (`SLURM_ARRAY_TASK_ID` /
/// `SLURM_ARRAY_TASK_COUNT`), Slurm tasks (`SLURM_PROCID` / `SLURM_NTASKS`) or Kubernetes
/// indexed Jobs (`JOB_COMPLETION_INDEX` with the world size given explicitly or by
/// `YI_WORLD_SIZE`, since Kubernetes does not export the completion count).
public struct RankAssignment: Sendable, Equatable {
    public var rank: Int
    public var worldSize: Int

    /// Slurm's largest job array (MaxArraySize) is 4,000,001 tasks; a larger world is a typo, and
    /// the assignment keeps one counter per rank.
    public static let maxWorldSize = 1 << 22

    public init(rank: Int, worldSize: Int) throws {
        guard (1...Self.maxWorldSize).contains(worldSize) else {
            throw YiError(.usage, "--world-size must be in 1...\(Self.maxWorldSize) (got \(worldSize))")
        }
        guard (0..<worldSize).contains(rank) else {
            throw YiError(.usage, "--rank must be in 0..<\(worldSize) (got \(rank))")
        }
        self.rank = rank
        self.worldSize = worldSize
    }

    public static let single = try! RankAssignment(rank: 0, worldSize: 1)

    /// Explicit values win; otherwise the first cluster environment that is set.
    public static func resolve(rank: Int?, worldSize: Int?, environment: [String: String]) throws -> RankAssignment {
        func int(_ key: String) -> Int? { environment[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        let sources: [(String, String?)] = [
            ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"),
            ("SLURM_PROCID", "SLURM_NTASKS"),
            ("JOB_COMPLETION_INDEX", "YI_WORLD_SIZE"),
        ]
        var envRank: Int?
        var envWorld: Int?
        for (rankKey, worldKey) in sources {
            if let r = int(rankKey) {
                envRank = r
                envWorld = worldKey.flatMap(int)
                break
            }
        }
        if rank != nil || worldSize != nil {
            return try RankAssignment(rank: rank ?? envRank ?? 0, worldSize: worldSize ?? envWorld ?? 1)
        }
        guard let envRank else { return .single }
        guard let envWorld else {
            throw YiError(.usage, "a rank was found in the environment (\(envRank)) but no world size: pass --world-size")
        }
        // Slurm array ids may start at an offset (--array=1-8); SLURM_ARRAY_TASK_MIN corrects for it.
        let minimum = int("SLURM_ARRAY_TASK_MIN") ?? 0
        return try RankAssignment(rank: envRank - (environment["SLURM_ARRAY_TASK_ID"] != nil ? minimum : 0),
                                  worldSize: envWorld)
    }

    /// Deterministic split of sized items: sorted order kept, each item to the rank with the
    /// fewest bytes so far (ties to the lowest rank). Every rank computes the same assignment.
    public func select<T>(_ items: [T], size: (T) -> Int64) -> [T] {
        guard worldSize > 1 else { return items }
        var load = [Int64](repeating: 0, count: worldSize)
        var mine: [T] = []
        for item in items {
            var target = 0
            for r in 1..<worldSize where load[r] < load[target] { target = r }
            load[target] += max(size(item), 1)
            if target == rank { mine.append(item) }
        }
        return mine
    }
}
