import YiCore

/// A field of a JSON record named on the command line: `text`, or a dotted path into nested
/// objects (`meta.redpajama_set_name`). A key that itself contains dots is found too: the whole
/// name is tried as one key before the path is walked.
struct FieldPath: Sendable, Equatable {
    let name: String
    let components: [String]

    init(_ name: String) throws {
        let components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, !components.contains(where: \.isEmpty) else {
            throw YiError(.usage, "invalid field name \"\(name)\": use a key or a dotted path like meta.content")
        }
        self.name = name
        self.components = components
    }

    /// What `take` found.
    enum Lookup {
        case found(JSONValue)
        case missing
        /// The key occurs more than once on the way: JSON parsers disagree on which one wins.
        case duplicated
    }

    /// The value at this path, and `members` without it (so the text is not kept twice).
    func take(from members: [(String, JSONValue)]) -> (Lookup, rest: [(String, JSONValue)]) {
        if components.count > 1, members.contains(where: { $0.0 == name }) {
            return Self.take([name], from: members)
        }
        return Self.take(components[...], from: members)
    }

    /// The value at this path without copying the record.
    func value(in members: [(String, JSONValue)]) -> JSONValue? {
        if components.count > 1, let whole = members.first(where: { $0.0 == name }) { return whole.1 }
        var current: [(String, JSONValue)] = members
        for (n, key) in components.enumerated() {
            guard let value = current.first(where: { $0.0 == key })?.1 else { return nil }
            if n == components.count - 1 { return value }
            guard case .object(let inner) = value else { return nil }
            current = inner
        }
        return nil
    }

    private static func take(_ path: ArraySlice<String>, from members: [(String, JSONValue)]) -> (Lookup, rest: [(String, JSONValue)]) {
        let key = path.first!
        var index: Int?
        for (i, member) in members.enumerated() where member.0 == key {
            if index != nil { return (.duplicated, members) }
            index = i
        }
        guard let index else { return (.missing, members) }
        var rest = members
        if path.count == 1 {
            rest.remove(at: index)
            return (.found(members[index].1), rest)
        }
        guard case .object(let inner) = members[index].1 else { return (.missing, members) }
        let (lookup, innerRest) = take(path.dropFirst(), from: inner)
        if case .found = lookup { rest[index].1 = .object(innerRest) }
        return (lookup, rest)
    }
}

extension JSONValue {
    /// "a number", "an array"... for messages.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
