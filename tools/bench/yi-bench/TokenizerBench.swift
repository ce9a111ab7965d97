import Dispatch
import Foundation
import YiCore
import YiTokenizer

/// `yi-bench tokenizer --model PATH --input FILE.jsonl [--threads N] [--repeat R] [--ids-out FILE] [--json]`
///
/// Times the native tokenizer on the `text` field of each JSONL line (parsed before timing):
/// model load, then encoding with 1 thread and with N threads (default 2), each the best of
/// R runs (default 3) with fresh encoders (cold segment caches). `--ids-out` writes the ids
/// (one JSON array per line) so `bench_tokenizer.py` can check them against the references.
enum TokenizerBench {
    struct Options {
        var model = ""
        var input = ""
        var threads = 2
        var repeats = 3
        var idsOut: String?
        var json = false
    }

    static func run(_ arguments: [String]) throws {
        let options = try parse(arguments)
        let texts = try loadTexts(options.input)
        let totalBytes = texts.reduce(0) { $0 + $1.utf8.count }

        var loadMillis = Double.infinity
        var model: SentencePieceModel!
        for _ in 0..<max(options.repeats, 1) {
            let start = DispatchTime.now()
            model = try SentencePieceModel(contentsOf: options.model)
            loadMillis = min(loadMillis, elapsed(since: start) * 1000)
        }

        // One pass to count tokens (and write them when asked).
        let encoder = SentencePieceEncoder(model: model)
        var tokenCount = 0
        var idsText = ""
        for text in texts {
            let ids = encoder.encode(text)
            tokenCount += ids.count
            if options.idsOut != nil {
                JSONWriter.appendIDs(ids, to: &idsText)
                idsText += "\n"
            }
        }
        if let path = options.idsOut { try AtomicFileWriter.write(idsText, to: path) }

        let single = bestOf(options.repeats) { encodeAll(model, texts, threads: 1).wall }
        let singleCPU = bestOf(options.repeats) { encodeOnThisThreadCPU(model, texts) }
        var parallel = single
        var parallelCPU = singleCPU
        if options.threads > 1 {
            parallel = .infinity
            parallelCPU = .infinity
            for _ in 0..<max(options.repeats, 1) {
                let run = encodeAll(model, texts, threads: options.threads)
                parallel = min(parallel, run.wall)
                parallelCPU = min(parallelCPU, run.slowestThreadCPU)
            }
        }
        let megabytes = Double(totalBytes) / 1_000_000
        let result: [(String, JSONValue)] = [
            ("documents", .int(Int64(texts.count))),
            ("bytes", .int(Int64(totalBytes))),
            ("tokens", .int(Int64(tokenCount))),
            ("load_ms", .double(loadMillis)),
            ("seconds_1", .double(single)),
            ("mb_per_s_1", .double(megabytes / single)),
            ("tokens_per_s_1", .double(Double(tokenCount) / single)),
            ("cpu_seconds_1", .double(singleCPU)),
            ("threads", .int(Int64(options.threads))),
            ("seconds_n", .double(parallel)),
            ("mb_per_s_n", .double(megabytes / parallel)),
            ("tokens_per_s_n", .double(Double(tokenCount) / parallel)),
            ("scaling", .double(single / parallel)),
            ("cpu_seconds_n_slowest_thread", .double(parallelCPU)),
            ("cpu_scaling", .double(singleCPU / parallelCPU)),
        ]
        if options.json {
            print(JSONWriter.string(.object(result)))
        } else {
            print("model          \(options.model) (\(model.vocabularySize) pieces, segmented: \(model.flags.segmentedEncoding))")
            print("input          \(options.input): \(texts.count) documents, \(totalBytes) bytes, \(tokenCount) tokens")
            print(String(format: "model load     %.1f ms", loadMillis))
            print(String(format: "1 thread       %.2f MB/s  %.0f tokens/s  (%.2f MB per CPU second)", megabytes / single,
                         Double(tokenCount) / single, megabytes / singleCPU))
            if options.threads > 1 {
                print(String(format: "%d threads      %.2f MB/s  %.0f tokens/s  (%.2fx one thread)", options.threads,
                             megabytes / parallel, Double(tokenCount) / parallel, single / parallel))
                print(String(format: "               CPU time: the slowest thread used %.3f s vs %.3f s for one thread alone (%.2fx)",
                             parallelCPU, singleCPU, singleCPU / parallelCPU))
            }
        }
    }

    /// Wall-clock seconds to encode every text once with `threads` workers, each with its own
    /// encoder and every `threads`-th document, and the CPU seconds of the slowest worker
    /// (which shows whether threads slow each other down, whatever else the machine runs).
    /// The encoders are made before the clock starts and released after it stops, as
    /// SentencePiece's processor is loaded before its timing: on a subset of a few KB, making
    /// and releasing a 12 MB segment cache (≈ 0.3 ms) would otherwise outweigh the encoding.
    static func encodeAll(_ model: SentencePieceModel, _ texts: [String], threads: Int) -> (wall: Double, slowestThreadCPU: Double) {
        let shares = split(texts, into: threads)
        let cpu = CPUTimes(count: threads)
        let encoders = (0..<threads).map { _ in SentencePieceEncoder(model: model, runsBesideOtherEncoders: threads > 1) }
        defer { withExtendedLifetime(encoders) {} }
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let cpuStart = threadCPUSeconds()
            defer { cpu.set(worker, threadCPUSeconds() - cpuStart) }
            let encoder = encoders[worker]
            var ids: [TokenID] = []
            var sink: UInt64 = 0
            for text in shares[worker] {
                ids.removeAll(keepingCapacity: true)
                encoder.encode(text, into: &ids)
                sink &+= UInt64(ids.count)
            }
            precondition(sink > 0 || shares[worker].isEmpty)
        }
        return (elapsed(since: start), cpu.maximum)
    }

    final class CPUTimes: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double]
        init(count: Int) { values = Array(repeating: 0, count: count) }
        func set(_ index: Int, _ value: Double) { lock.withLock { values[index] = value } }
        var maximum: Double { lock.withLock { values.max() ?? 0 } }
    }

    /// CPU seconds of this thread to encode every text once (less sensitive than wall-clock
    /// time to other processes on a shared machine).
    static func encodeOnThisThreadCPU(_ model: SentencePieceModel, _ texts: [String]) -> Double {
        let encoder = SentencePieceEncoder(model: model)
        var ids: [TokenID] = []
        let start = threadCPUSeconds()
        for text in texts {
            ids.removeAll(keepingCapacity: true)
            encoder.encode(text, into: &ids)
        }
        return threadCPUSeconds() - start
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Documents dealt out in turn, so that every share has the same mix of languages.
    static func split(_ texts: [String], into parts: Int) -> [[String]] {
        var result = Array(repeating: [String](), count: parts)
        for (index, text) in texts.enumerated() { result[index % parts].append(text) }
        return result
    }

    static func bestOf(_ repeats: Int, _ body: () -> Double) -> Double {
        (0..<max(repeats, 1)).map { _ in body() }.min()!
    }

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    struct Line: Decodable { var text: String }

    static func loadTexts(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }.map {
            try decoder.decode(Line.self, from: Data($0)).text
        }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let v = iterator.next() else { throw YiError(.usage, "\(flag) needs a value") }
            return v
        }
        while let argument = iterator.next() {
            switch argument {
            case "--model": options.model = try value(argument)
            case "--input": options.input = try value(argument)
            case "--threads": options.threads = Int(try value(argument)) ?? 2
            case "--repeat": options.repeats = Int(try value(argument)) ?? 3
            case "--ids-out": options.idsOut = try value(argument)
            case "--json": options.json = true
            default: throw YiError(.usage, "unknown option \(argument); usage: yi-bench tokenizer --model PATH --input FILE.jsonl [--threads N] [--repeat R] [--ids-out FILE] [--json]")
            }
        }
        guard !options.model.isEmpty, !options.input.isEmpty else {
            throw YiError(.usage, "usage: yi-bench tokenizer --model PATH --input FILE.jsonl [--threads N] [--repeat R] [--ids-out FILE] [--json]")
        }
        return options
    }
}
