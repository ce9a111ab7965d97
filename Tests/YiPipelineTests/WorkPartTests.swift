import Testing
@testable import YiPipeline

@Suite struct WorkPartTests {
    @Test func groupsConsecutiveFilesBySize() {
        let parts = WorkPart.plan(sizes: [40, 70, 10, 200, 5, 5], targetBytes: 100)
        #expect(parts.map(\.inputs) == [0..<2, 2..<4, 4..<6])
        #expect(parts.map(\.bytes) == [110, 210, 10])
        #expect(parts.map(\.name) == ["part-00000", "part-00001", "part-00002"])
    }

    @Test func emptyInputStillHasOnePart() {
        #expect(WorkPart.plan(sizes: [], targetBytes: 10) == [WorkPart(index: 0, inputs: 0..<0, bytes: 0)])
    }

    @Test func everyFileInExactlyOnePart() {
        let sizes: [Int64] = (0..<100).map { Int64(($0 * 37) % 50) }
        let parts = WorkPart.plan(sizes: sizes, targetBytes: 120)
        #expect(parts.flatMap { Array($0.inputs) } == Array(0..<100))
        #expect(parts.dropLast().allSatisfy { $0.bytes >= 120 })
    }
}
