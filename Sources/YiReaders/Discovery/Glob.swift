#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// Shell-style path patterns: `*` and `?` and `[...]` within one path component (never matching
/// a leading dot), and `**` for any number of directories (including none). The shell usually
/// expands globs itself; this is for quoted patterns and pipeline files.
enum Glob {
    static func isPattern(_ text: String) -> Bool {
        text.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
    }

    /// Paths (files and directories) matching `pattern`, sorted bytewise.
    static func expand(_ pattern: String) throws -> [String] {
        let absolute = pattern.hasPrefix("/")
        let components = pattern.split(separator: "/").map(String.init)
        var matches: [String] = []
        var visited = Set<FileSystem.FileIdentity>()
        try expand(components[...], in: absolute ? "/" : ".", into: &matches, visited: &visited)
        var seen = Set<String>()
        return matches.filter { seen.insert($0).inserted }.sorted(by: bytewiseLess)
    }

    private static func expand(_ components: ArraySlice<String>, in directory: String,
                               into matches: inout [String], visited: inout Set<FileSystem.FileIdentity>) throws {
        guard let component = components.first else {
            matches.append(directory)
            return
        }
        let rest = components.dropFirst()
        if component == "**" {
            guard let status = try FileSystem.status(directory), status.kind == .directory,
                  visited.insert(status.identity).inserted else { return }
            defer { visited.remove(status.identity) }
            try expand(rest, in: directory, into: &matches, visited: &visited)
            for name in try FileSystem.entries(of: directory) where !name.hasPrefix(".") {
                let child = FileSystem.join(directory, name)
                if try FileSystem.status(child)?.kind == .directory {
                    try expand(components, in: child, into: &matches, visited: &visited)
                }
            }
        } else if isPattern(component) {
            guard try FileSystem.status(directory)?.kind == .directory else { return }
            for name in try FileSystem.entries(of: directory) where fnmatch(component, name, FNM_PERIOD) == 0 {
                let child = FileSystem.join(directory, name)
                if try rest.isEmpty || FileSystem.status(child)?.kind == .directory {
                    try expand(rest, in: child, into: &matches, visited: &visited)
                }
            }
        } else {
            let child = FileSystem.join(directory, component)
            if try FileSystem.status(child) != nil {
                try expand(rest, in: child, into: &matches, visited: &visited)
            }
        }
    }
}
