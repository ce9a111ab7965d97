#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// The few file-system calls discovery needs, as thin wrappers with `YiError`s.
enum FileSystem {
    enum Kind { case file, directory, other }

    struct Status {
        var kind: Kind
        var size: Int64
        /// Device and inode, to notice a directory reached twice through symbolic links.
        var identity: FileIdentity
    }

    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// `stat` (following links); nil when nothing is there.
    static func status(_ path: String) throws -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw YiError(.input, "cannot inspect path", context: .init(path: path), cause: errnoText())
        }
        let type = info.st_mode & S_IFMT
        let kind: Kind = type == S_IFREG ? .file : type == S_IFDIR ? .directory : .other
        return Status(kind: kind, size: Int64(info.st_size),
                      identity: FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// Entry names of a directory (without `.` and `..`), sorted bytewise for a deterministic order.
    static func entries(of directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            throw YiError(.input, "cannot list directory", context: .init(path: directory), cause: errnoText())
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted(by: bytewiseLess)
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    /// The canonical absolute path (symbolic links resolved), for recognising one file named twice.
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Bytewise order of UTF-8 paths, like `LC_ALL=C sort`: the same on every machine and locale.
func bytewiseLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
