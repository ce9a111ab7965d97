import Foundation
import Testing
import YiChecksum
import YiCore
import YiShards
import YiTestSupport

/// `pack` on a disk that fills up mid-run: exit 7 naming the file and saying the disk is full, no
/// shard, marker or manifest that looks complete, and `--resume` once there is room gives the bytes
/// of an uninterrupted run. A real full filesystem (a small tmpfs, needs root) where the machine
/// allows mounting; everywhere, the same through the `YI_TEST_WRITE_FAULT=enospc:N` hook.
@Suite(.serialized) struct FullDiskTests {
    static let canMountTmpfs: Bool = {
        let dir = TemporaryDirectory("yi-prep-mount-probe")
        guard (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path])) == 0 else { return false }
        _ = try? run("/bin/umount", [dir.path])
        return true
    }()

    @Test(.enabled(if: FullDiskTests.canMountTmpfs,
                   "skipped: cannot mount a tmpfs here (needs root); injectedNoSpaceMidRun covers the same path"))
    func tmpfsFillsUpMidRun() throws {
        let dir = TemporaryDirectory()
        let expected = try referenceRun(dir)
        let total = expected.values.reduce(0) { $0 + $1.count }
        let mount = dir.file("small-disk")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        // Room for about half of the output.
        #expect(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(total / 2048)k", "tmpfs", mount]) == 0)
        defer { _ = try? Self.run("/bin/umount", [mount]) }

        let out = mount + "/out"
        let full = try ChildProcess.yiPrep(CrashSafetyTests.packArguments(out: out))
        try expectCleanFailure(full, out: out)

        #expect(try Self.run("/bin/mount", ["-o", "remount,size=\(4 * total / 1024 + 1024)k", mount]) == 0)
        let resumed = try ChildProcess.yiPrep(CrashSafetyTests.packArguments(out: out) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(differences(try folderContents(out), expected) == [])
    }

    @Test func injectedNoSpaceMidRun() throws {
        let dir = TemporaryDirectory()
        let expected = try referenceRun(dir)
        let out = dir.file("out")
        let full = try ChildProcess.yiPrep(CrashSafetyTests.packArguments(out: out), environment: ["YI_TEST_WRITE_FAULT": "enospc:20"])
        try expectCleanFailure(full, out: out)
        let resumed = try ChildProcess.yiPrep(CrashSafetyTests.packArguments(out: out) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(differences(try folderContents(out), expected) == [])
    }

    private func referenceRun(_ dir: TemporaryDirectory) throws -> [String: Data] {
        let reference = dir.file("reference")
        #expect(try ChildProcess.yiPrep(CrashSafetyTests.packArguments(out: reference)).status == 0)
        return try folderContents(reference)
    }

    /// Exit 7 naming a file under `out` and the full disk; no manifest, no temporary file, every
    /// part marker truthful (its shards there with the recorded sizes), and verify refuses.
    private func expectCleanFailure(_ result: ChildProcess.Result, out: String) throws {
        #expect(result.status == YiError.Code.io.exitStatus, "\(result.standardError)")
        #expect(result.standardError.contains(out + "/"), "the error names the file: \(result.standardError)")
        #expect(result.standardError.contains("no space left"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out + "/manifest.json"))
        let files = try folderContents(out).keys
        #expect(files.filter { $0.contains(".tmp-") }.isEmpty, "temporary files left: \(files.filter { $0.contains(".tmp-") })")
        #expect(files.contains { $0.hasSuffix(".idx") }, "the disk filled before any shard: the test proves little")
        for marker in files where marker.hasPrefix("/.parts/part-") {
            let manifest = try Manifest.read(path: out + marker)
            for bucket in manifest.buckets {
                for shard in bucket.shards {
                    for (ext, digest) in shard.files {
                        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(bucket.directory)/\(shard.name).\(ext)"))
                        #expect(Int64(data.count) == digest.bytes && SHA256.hex(of: data) == digest.sha256, "\(marker): \(shard.name).\(ext)")
                    }
                }
            }
        }
        #expect(try ChildProcess.yiPrep(["verify", out]).status == YiError.Code.verifyFailed.exitStatus)
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
