import Testing
import YiCore
@testable import YiPipeline

@Suite struct RankAssignmentTests {
    @Test func environmentDefaults() throws {
        #expect(try RankAssignment.resolve(rank: nil, worldSize: nil, environment: [:]) == .single)
        let slurmArray = try RankAssignment.resolve(rank: nil, worldSize: nil, environment: [
            "SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_MIN": "1",
            "SLURM_PROCID": "0", "SLURM_NTASKS": "1",
        ])
        #expect(slurmArray == (try RankAssignment(rank: 4, worldSize: 8)))
        let tasks = try RankAssignment.resolve(rank: nil, worldSize: nil, environment: ["SLURM_PROCID": "3", "SLURM_NTASKS": "4"])
        #expect(tasks == (try RankAssignment(rank: 3, worldSize: 4)))
        let k8s = try RankAssignment.resolve(rank: nil, worldSize: 6, environment: ["JOB_COMPLETION_INDEX": "2"])
        #expect(k8s == (try RankAssignment(rank: 2, worldSize: 6)))
        #expect(throws: YiError.self) {
            try RankAssignment.resolve(rank: nil, worldSize: nil, environment: ["JOB_COMPLETION_INDEX": "2"])
        }
        #expect(throws: YiError.self) { try RankAssignment(rank: 4, worldSize: 4) }
    }

    /// Every item lands on exactly one rank, and the split is balanced by size.
    @Test func partitionIsCompleteAndBalanced() throws {
        let sizes: [Int64] = (0..<37).map { Int64(($0 * 7919) % 1000 + 1) }
        let world = 4
        var seen: [Int] = []
        var loads: [Int64] = []
        for r in 0..<world {
            let mine = try RankAssignment(rank: r, worldSize: world).select(Array(sizes.indices)) { sizes[$0] }
            seen += mine
            loads.append(mine.reduce(0) { $0 + sizes[$1] })
        }
        #expect(seen.sorted() == Array(sizes.indices))
        #expect(loads.max()! - loads.min()! <= sizes.max()!)
    }
}
