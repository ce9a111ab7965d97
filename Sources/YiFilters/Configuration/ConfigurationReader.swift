import YiCore

/// A mistake in a filter/dedup/mix configuration: which key (as a path in the same form as the
/// pipeline file's, `filters[2].gopher-quality.min-words`), the value found, and what is wrong.
/// The pipeline maps `path` back to a line and column of its YAML file.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var value: JSONValue?
    public var problem: String

    public init(path: String, value: JSONValue?, problem: String) {
        self.path = path
        self.value = value
        self.problem = problem
    }

    public var description: String {
        var text = path.isEmpty ? problem : "\(path): \(problem)"
        if let value { text += " (got \(JSONWriter.string(value)))" }
        return text
    }

    /// As the project's error type (`.usage`, exit status 2).
    public var yiError: YiError { YiError(.usage, description) }
}

/// Typed, validated access to a string-keyed configuration object (as a YAML mapping gives it).
/// A key that is absent takes the default; a key set to `null` switches an optional check off;
/// `finish()` rejects keys nobody asked for, naming the accepted ones.
public struct ConfigurationReader {
    public let path: String
    private let members: [(String, JSONValue)]
    private var used: [String] = []

    /// `value` must be an object (or null, read as empty).
    public init(_ value: JSONValue, path: String) throws {
        self.path = path
        switch value {
        case .object(let members): self.members = members
        case .null: members = []
        default: throw ConfigurationError(path: path, value: value, problem: "expected a mapping of options")
        }
    }

    public func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private mutating func raw(_ key: String) -> JSONValue? {
        used.append(key)
        return members.first { $0.0 == key }?.1
    }

    public func contains(_ key: String) -> Bool { members.contains { $0.0 == key } }

    public var isEmpty: Bool { members.isEmpty }

    private func error(_ key: String, _ value: JSONValue?, _ problem: String) -> ConfigurationError {
        ConfigurationError(path: childPath(key), value: value, problem: problem)
    }

    /// Whole number in `range`; `nil` when the key is null (or absent with a nil default).
    public mutating func int(_ key: String, default defaultValue: Int?, in range: ClosedRange<Int> = 0...Int.max) throws -> Int? {
        guard let value = raw(key) else { return defaultValue }
        if case .null = value { return nil }
        var number: Int64? = value.intValue
        if number == nil, let s = value.stringValue { number = ConfigurationReader.parseSize(s) }
        guard let n = number, let int = Int(exactly: n), range.contains(int) else {
            throw error(key, value, "expected a whole number in \(Self.describe(range))")
        }
        return int
    }

    public mutating func double(_ key: String, default defaultValue: Double?,
                                in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double? {
        guard let value = raw(key) else { return defaultValue }
        if case .null = value { return nil }
        guard let d = value.doubleValue, d.isFinite, range.contains(d) else {
            throw error(key, value, "expected a number in \(Self.describe(range))")
        }
        return d
    }

    /// A whole number the option cannot do without: null (or absence without a default) is
    /// refused with the key's path, never taken as "no value".
    public mutating func requiredInt(_ key: String, default defaultValue: Int?, in range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let int = try int(key, default: defaultValue, in: range) else {
            throw error(key, raw(key), "expected a whole number in \(Self.describe(range))")
        }
        return int
    }

    /// The same for a number.
    public mutating func requiredDouble(_ key: String, default defaultValue: Double?,
                                        in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        guard let d = try double(key, default: defaultValue, in: range) else {
            throw error(key, raw(key), "expected a number in \(Self.describe(range))")
        }
        return d
    }

    public mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = raw(key) else { return defaultValue }
        guard case .bool(let b) = value else { throw error(key, value, "expected true or false") }
        return b
    }

    public mutating func string(_ key: String, default defaultValue: String?) throws -> String? {
        guard let value = raw(key) else { return defaultValue }
        if case .null = value { return nil }
        guard let s = value.stringValue else { throw error(key, value, "expected a text value") }
        return s
    }

    public mutating func choice(_ key: String, _ options: [String], default defaultValue: String) throws -> String {
        guard let value = raw(key) else { return defaultValue }
        guard let s = value.stringValue, options.contains(s) else {
            throw error(key, value, "expected one of \(options.joined(separator: ", "))")
        }
        return s
    }

    /// A list of text values (a single text value is a one-element list).
    public mutating func stringList(_ key: String, default defaultValue: [String]) throws -> [String] {
        guard let value = raw(key) else { return defaultValue }
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            return try items.enumerated().map { index, item in
                guard let s = item.stringValue else {
                    throw ConfigurationError(path: "\(childPath(key))[\(index)]", value: item, problem: "expected a text value")
                }
                return s
            }
        default: throw error(key, value, "expected a list of text values")
        }
    }

    /// A nested mapping, or nil when absent.
    public mutating func object(_ key: String) throws -> ConfigurationReader? {
        guard let value = raw(key) else { return nil }
        return try ConfigurationReader(value, path: childPath(key))
    }

    /// The members of a nested mapping as (key, value) pairs, or nil when absent.
    public mutating func members(_ key: String) throws -> [(String, JSONValue)]? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .object(let members): return members
        case .null: return []
        default: throw error(key, value, "expected a mapping")
        }
    }

    /// Fails on keys that were never read.
    public func finish() throws {
        for (key, value) in members where !used.contains(key) {
            let accepted = Array(Set(used)).sorted().joined(separator: ", ")
            throw error(key, value, "unknown option (accepted here: \(accepted))")
        }
    }

    /// `4096`, `"64MiB"`, `"2 GB"`, `"1e9"`: see `ByteSize`.
    static func parseSize(_ text: String) -> Int64? { ByteSize.parse(text) }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "\(range.lowerBound)...\(range.upperBound)"
    }

    private static func describe(_ range: ClosedRange<Double>) -> String {
        switch (range.lowerBound == -Double.greatestFiniteMagnitude, range.upperBound == Double.greatestFiniteMagnitude) {
        case (true, true): return "(any finite number)"
        case (false, true): return "≥ \(range.lowerBound)"
        case (true, false): return "≤ \(range.upperBound)"
        case (false, false): return "[\(range.lowerBound), \(range.upperBound)]"
        }
    }
}
