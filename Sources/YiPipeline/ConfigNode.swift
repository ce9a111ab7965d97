import Yams
import YiCore

/// A configuration value read from a pipeline YAML file, with the line and column it came from,
/// so every mistake in a pipeline file is reported as `file:line:column: key: what is wrong`.
public struct ConfigNode {
    public enum Value {
        case scalar(String, isQuoted: Bool)
        case list([ConfigNode])
        case map([(String, ConfigNode)])
        case null
    }

    public var value: Value
    public var line: Int
    public var column: Int
    /// Dotted path from the document root (`packing.lengths[1]`), for messages.
    public var path: String
    public var file: String

    /// Parses YAML text. Syntax errors carry libyaml's line and column.
    public static func parse(yaml: String, file: String) throws -> ConfigNode {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return ConfigNode(value: .map([]), line: 1, column: 1, path: "", file: file)
            }
            return try ConfigNode(node, path: "", file: file)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
    }

    private init(value: Value, line: Int, column: Int, path: String, file: String) {
        self.value = value
        self.line = line
        self.column = column
        self.path = path
        self.file = file
    }

    private init(_ node: Node, path: String, file: String) throws {
        self.path = path
        self.file = file
        line = node.mark?.line ?? 0
        column = node.mark?.column ?? 0
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                value = .null
            } else {
                value = .scalar(scalar.string, isQuoted: scalar.style != .plain)
            }
        case .sequence(let sequence):
            value = .list(try sequence.enumerated().map { try ConfigNode($1, path: "\(path)[\($0)]", file: file) })
        case .mapping(let mapping):
            // Duplicate keys are already refused by Yams while composing.
            var members: [(String, ConfigNode)] = []
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else {
                    throw YiError(.usage, "\(path.isEmpty ? "" : path + ": ")keys must be strings",
                                  context: .init(path: file, line: keyNode.mark?.line))
                }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                members.append((key, try ConfigNode(valueNode, path: childPath, file: file)))
            }
            value = .map(members)
        case .alias:
            throw ConfigNode.error(at: node.mark, file: file, "\(path): YAML aliases are not supported")
        }
    }

    // MARK: Errors

    /// libyaml's errors as `file: line:column: problem`.
    private static func yamlError(_ error: YamlError, file: String) -> YiError {
        let located: (Mark, String)?
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            located = (mark, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            located = (context.mark, "duplicate key \(duplicates.joined(separator: ", "))")
        default:
            located = nil
        }
        guard let (mark, problem) = located else {
            return YiError(.usage, "not a valid YAML pipeline file: \(error)", context: .init(path: file))
        }
        return YiError(.usage, "\(mark.line):\(mark.column): not valid YAML: \(problem)", context: .init(path: file))
    }

    /// An error that points at this node: `file:line:column: path: message`.
    public func error(_ message: String) -> YiError {
        YiError(.usage, "\(line):\(column): \(path.isEmpty ? "" : path + ": ")\(message)", context: .init(path: file))
    }

    private static func error(at mark: Mark?, file: String, _ message: String) -> YiError {
        YiError(.usage, "\(mark?.line ?? 0):\(mark?.column ?? 0): \(message)", context: .init(path: file))
    }

    // MARK: Typed access

    public var isNull: Bool { if case .null = value { return true } else { return false } }

    public func map() throws -> [(String, ConfigNode)] {
        guard case .map(let members) = value else { throw error("expected a mapping (key: value lines)") }
        return members
    }

    public func list() throws -> [ConfigNode] {
        if case .list(let items) = value { return items }
        throw error("expected a list")
    }

    /// A list, or a single value taken as a one-element list (`lengths: 16384`).
    public func listOrSingle() throws -> [ConfigNode] {
        if case .list(let items) = value { return items }
        return [self]
    }

    public subscript(key: String) -> ConfigNode? {
        guard case .map(let members) = value else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Fails on keys not in `allowed`, naming the unknown key and the accepted ones.
    public func checkKeys(_ allowed: [String]) throws {
        for (key, node) in try map() where !allowed.contains(key) {
            throw node.error("unknown key (accepted here: \(allowed.joined(separator: ", ")))")
        }
    }

    public func string() throws -> String {
        guard case .scalar(let s, _) = value else { throw error("expected a text value") }
        return s
    }

    public func int() throws -> Int {
        guard case .scalar(let s, false) = value,
              let n = Int(s.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected an integer")
        }
        return n
    }

    /// An integer in `range`, so that converting it to a narrower or unsigned type cannot trap.
    public func int(in range: ClosedRange<Int>) throws -> Int {
        let n = try int()
        guard range.contains(n) else {
            let bounds = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "in \(range.lowerBound)...\(range.upperBound)"
            throw error("expected a whole number \(bounds) (got \(n))")
        }
        return n
    }

    public func double() throws -> Double {
        guard case .scalar(let s, false) = value, let d = Double(s.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a number")
        }
        return d
    }

    public func bool() throws -> Bool {
        guard case .scalar(let s, false) = value else { throw error("expected true or false") }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false (got \(s))")
        }
    }

    /// One of a fixed set of words.
    public func choice(_ options: [String]) throws -> String {
        let s = try string()
        guard options.contains(s) else { throw error("expected one of \(options.joined(separator: ", ")) (got \(s))") }
        return s
    }

    /// The node as a JSON value (numbers and booleans recognised in plain scalars), for handing
    /// sub-configurations to stage libraries and for recording them in the manifest.
    public var json: JSONValue {
        switch value {
        case .null: return .null
        case .scalar(let s, let quoted):
            if !quoted {
                if let i = Int64(s) { return .int(i) }
                if let d = Double(s), s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .double(d) }
                switch s.lowercased() {
                case "true", "yes", "on": return .bool(true)
                case "false", "no", "off": return .bool(false)
                default: break
                }
            }
            return .string(s)
        case .list(let items): return .array(items.map(\.json))
        case .map(let members): return .object(members.map { ($0.0, $0.1.json) })
        }
    }
}
