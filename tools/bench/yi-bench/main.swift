// yi-bench: release-mode benchmarks of yi-prep's stages. Run through the scripts in tools/bench/,
// which put the reference implementations side by side. `yi-bench <suite> [options]`.
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let suites: [String: ([String]) throws -> Void] = [
    "tokenizer": TokenizerBench.run,
    "readers": ReaderBench.run,
]
guard let name = arguments.first, let suite = suites[name] else {
    print("usage: yi-bench <\(suites.keys.sorted().joined(separator: "|"))> [options]")
    exit(2)
}
do {
    try suite(Array(arguments.dropFirst()))
} catch {
    print("yi-bench \(name): \(error)")
    exit(1)
}
