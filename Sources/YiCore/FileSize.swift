#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The size in bytes of the file at `path` (following symbolic links), or nil when it cannot
/// be read. One `stat` call: Foundation's `attributesOfItem` also resolves the owner's and
/// group's names, reading /etc/passwd and /etc/group on every call (about 1 ms), which adds up
/// over the thousands of shard files a resumed or finished run checks.
public func fileSize(atPath path: String) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int64(info.st_size)
}
