import Foundation
import Testing
@testable import YiPipeline

@Suite struct OrderedWorkPoolTests {
    /// Results come back in submission order even when later items finish first.
    @Test(arguments: [1, 2, 4])
    func keepsSubmissionOrder(threads: Int) throws {
        let pool = OrderedWorkPool<Int, Int>(threads: threads, maxInFlight: 8)
        var results: [Int] = []
        try pool.run(makeWorker: {
            { n in
                if n % 7 == 0 { usleep(2000) }   // slow items overtaken by fast ones
                return n * n
            }
        }, produce: { submit in
            for n in 0..<500 { try submit(n) }
        }, consume: { results.append($0) })
        #expect(results == (0..<500).map { $0 * $0 })
    }

    @Test func producerErrorSurfacesAfterEarlierResults() {
        struct Boom: Error {}
        let pool = OrderedWorkPool<Int, Int>(threads: 2)
        var results: [Int] = []
        #expect(throws: Boom.self) {
            try pool.run(makeWorker: { { $0 } }, produce: { submit in
                for n in 0..<10 { try submit(n) }
                throw Boom()
            }, consume: { results.append($0) })
        }
        #expect(results == Array(0..<10))
    }

    @Test func consumerErrorStopsTheProducer() {
        struct Stop: Error {}
        let pool = OrderedWorkPool<Int, Int>(threads: 2, maxInFlight: 4)
        var produced = 0
        let lock = NSLock()
        #expect(throws: Stop.self) {
            try pool.run(makeWorker: { { $0 } }, produce: { submit in
                for n in 0..<1_000_000 {
                    try submit(n)
                    lock.lock(); produced += 1; lock.unlock()
                }
            }, consume: { n in if n == 5 { throw Stop() } })
        }
        lock.lock(); defer { lock.unlock() }
        #expect(produced < 1000, "the bounded queue must stop the producer soon after cancellation")
    }

    @Test func inFlightIsBounded() throws {
        let pool = OrderedWorkPool<Int, Int>(threads: 2, maxInFlight: 3)
        let lock = NSLock()
        var submittedCount = 0
        var maxAhead = 0
        var consumedCount = 0
        try pool.run(makeWorker: { { $0 } }, produce: { submit in
            for n in 0..<200 {
                try submit(n)
                lock.lock()
                submittedCount += 1
                maxAhead = max(maxAhead, submittedCount - consumedCount)
                lock.unlock()
            }
        }, consume: { _ in
            lock.lock(); consumedCount += 1; lock.unlock()
        })
        // +1: the producer may count a submission before the consumer counts the result it freed.
        #expect(maxAhead <= 3 + 1)
    }
}
