// yi-fuzz: the fuzz targets of docs/reliability.md.
//
// Built normally (as `swift build` does) it replays inputs: `yi-fuzz TARGET FILE...` runs each
// file through the target (regression inputs, a crash to reproduce). Built by tools/fuzz/build.sh
// (`-sanitize=fuzzer,address -D YI_FUZZ`) it is a libFuzzer binary: `yi-fuzz TARGET [libFuzzer
// flags] [CORPUS...]`, the target chosen by the first argument.
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTargets.all[arguments[1]] else {
    let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: yi-fuzz TARGET FILE... (targets: \(names)); tools/fuzz/run.sh TARGET SECONDS fuzzes\n".utf8))
    exit(2)
}

#if YI_FUZZ
/// The target libFuzzer calls (a C callback cannot capture, so it is a global).
nonisolated(unsafe) var selectedTarget: (UnsafeRawBufferPointer) -> Void = target

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

// libFuzzer sees argv without the target name.
var fuzzerArguments = [arguments[0]] + arguments.dropFirst(2)
var cArguments: [UnsafeMutablePointer<CChar>?] = fuzzerArguments.map { strdup($0) } + [nil]
var argc = Int32(fuzzerArguments.count)
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selectedTarget(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
#else
var failed = false
for path in arguments.dropFirst(2) {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("yi-fuzz: cannot read \(path)\n".utf8))
        failed = true
        continue
    }
    data.withUnsafeBytes { target($0) }
    print("ok \(path)")
}
exit(failed ? 1 : 0)
#endif
