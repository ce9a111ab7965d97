import Foundation

/// Runs a function over a stream of work items on N threads and hands the results back in the
/// order the items were submitted, so the output of a run never depends on the thread count.
///
/// Shape: the producer runs on its own thread and `submit`s items; `threads` workers take items
/// from one bounded queue; the caller's thread receives results in submission order. At most
/// `maxInFlight` items are between submission and consumption, which bounds memory whatever the
/// relative speeds (a slow consumer blocks the producer).
///
/// Submit batches (many documents per item), not single documents: one lock round-trip per item.
/// With `threads == 1` everything runs inline on the caller's thread (same order, same results).
public final class OrderedWorkPool<Input, Output> {
    private let threads: Int
    private let maxInFlight: Int

    private let lock = NSCondition()
    private var pending: [(Int, Input)?] = []         // FIFO of submitted, not yet taken (head index below);
                                                      // taken slots are nil so their input is freed at once
    private var pendingHead = 0
    private var finished: [Int: Output] = [:]         // results waiting for their turn
    private var submitted = 0
    private var consumed = 0
    private var producerDone = false
    private var cancelled = false
    private var producerError: Error?

    public init(threads: Int, maxInFlight: Int? = nil) {
        precondition(threads >= 1, "OrderedWorkPool needs at least one worker")
        self.threads = threads
        self.maxInFlight = max(maxInFlight ?? threads * 4, threads)
    }

    /// - Parameters:
    ///   - makeWorker: called once per worker thread; returns that worker's function (so each
    ///     worker can own non-thread-safe state such as an encoder cache).
    ///   - produce: called on a producer thread with a `submit` function. Throwing stops the run;
    ///     the error is rethrown from `run` after the results already submitted were consumed.
    ///   - consume: called on the caller's thread with each result in submission order.
    ///     Throwing cancels the run and the error is rethrown.
    public func run(makeWorker: @escaping () -> (Input) -> Output,
                    produce: @escaping (_ submit: (Input) throws -> Void) throws -> Void,
                    consume: (Output) throws -> Void) throws {
        // One thread means one thread: read, work and consume inline, with no hand-offs.
        if threads == 1 {
            let work = makeWorker()
            try withoutActuallyEscaping(consume) { consume in
                try produce { item in try consume(work(item)) }
            }
            return
        }
        var workers: [Thread] = []
        let allDone = DispatchGroup()
        for n in 0..<threads {
            allDone.enter()
            let thread = Thread { [self] in
                let work = makeWorker()
                workerLoop(work)
                allDone.leave()
            }
            thread.name = "yi-prep worker \(n)"
            thread.stackSize = 8 << 20
            workers.append(thread)
        }
        allDone.enter()
        let producer = Thread { [self] in
            do {
                try produce { item in try self.submit(item) }
            } catch is CancellationError {
            } catch {
                lock.lock(); producerError = error; lock.unlock()
            }
            lock.lock(); producerDone = true; lock.broadcast(); lock.unlock()
            allDone.leave()
        }
        producer.name = "yi-prep reader"
        producer.stackSize = 8 << 20
        workers.forEach { $0.start() }
        producer.start()

        var consumeError: Error?
        while true {
            lock.lock()
            while finished[consumed] == nil && !(producerDone && consumed == submitted) && !cancelled {
                lock.wait()
            }
            if cancelled || (producerDone && consumed == submitted && finished[consumed] == nil) {
                lock.unlock()
                break
            }
            let output = finished.removeValue(forKey: consumed)!
            consumed += 1
            lock.broadcast()
            lock.unlock()
            do {
                try consume(output)
            } catch {
                consumeError = error
                cancel()
                break
            }
        }
        cancel()   // stop workers waiting for more input
        allDone.wait()
        if let consumeError { throw consumeError }
        lock.lock(); let error = producerError; lock.unlock()
        if let error { throw error }
    }

    private func submit(_ item: Input) throws {
        lock.lock()
        defer { lock.unlock() }
        while submitted - consumed >= maxInFlight && !cancelled { lock.wait() }
        if cancelled { throw CancellationError() }
        pending.append((submitted, item))
        submitted += 1
        lock.broadcast()
    }

    private func cancel() {
        lock.lock(); cancelled = true; lock.broadcast(); lock.unlock()
    }

    private func workerLoop(_ work: (Input) -> Output) {
        while true {
            lock.lock()
            while pendingHead == pending.count && !producerDone && !cancelled { lock.wait() }
            if cancelled || pendingHead == pending.count {
                lock.unlock()
                return
            }
            let (sequence, item) = pending[pendingHead]!
            pending[pendingHead] = nil
            pendingHead += 1
            if pendingHead > 64 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            lock.unlock()

            let output = work(item)

            lock.lock()
            finished[sequence] = output
            lock.broadcast()
            lock.unlock()
        }
    }
}
