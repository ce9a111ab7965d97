import YiCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One message of a conversation, with its role normalised to the template's names.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// Why a record is not a usable conversation.
public struct ChatRecordError: Error, Sendable {
    public var reason: RejectReason
    public var detail: String
}

/// Reads a conversation from a JSONL record: OpenAI `{"messages": [{"role", "content"}]}` or
/// ShareGPT `{"conversations": [{"from", "value"}]}`.
public enum ChatConversation {
    /// The record's members other than the conversation (kept as metadata) and its messages.
    public static func parse(_ members: [(String, JSONValue)], forbiddenLiterals: [String])
        -> Result<(messages: [ChatMessage], rest: [(String, JSONValue)]), ChatRecordError> {
        parse(members, forbidden: ControlLiteralScanner(forbiddenLiterals))
    }

    /// - Parameter forbidden: built once per input (it holds a set of the literals).
    public static func parse(_ members: [(String, JSONValue)], forbidden: ControlLiteralScanner)
        -> Result<(messages: [ChatMessage], rest: [(String, JSONValue)]), ChatRecordError> {
        func fail(_ reason: RejectReason, _ detail: String) -> Result<(messages: [ChatMessage], rest: [(String, JSONValue)]), ChatRecordError> {
            .failure(ChatRecordError(reason: reason, detail: detail))
        }
        let openAI = members.filter { $0.0 == "messages" }
        let shareGPT = members.filter { $0.0 == "conversations" }
        if openAI.count + shareGPT.count > 1 {
            return fail(.chatAmbiguousMessages, "the record has more than one \"messages\"/\"conversations\" field")
        }
        guard let (field, value) = openAI.first ?? shareGPT.first else {
            return fail(.chatMissingMessages, "no \"messages\" (OpenAI) or \"conversations\" (ShareGPT) field")
        }
        let isShareGPT = field == "conversations"
        let roleKey = isShareGPT ? "from" : "role"
        let contentKey = isShareGPT ? "value" : "content"
        guard case .array(let list) = value else {
            return fail(.chatNotAList, "\"\(field)\" is \(value.kindDescription), not a list")
        }
        guard !list.isEmpty else { return fail(.chatEmpty, "\"\(field)\" is an empty list") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(list.count)
        for (index, element) in list.enumerated() {
            let place = "\(field)[\(index)]"
            guard case .object(let message) = element else {
                return fail(.chatMessageNotAnObject, "\(place) is \(element.kindDescription), not an object")
            }
            guard case .string(let roleName)? = message.first(where: { $0.0 == roleKey })?.1 else {
                return fail(.chatMissingRole, "\(place) has no string \"\(roleKey)\"")
            }
            guard let role = self.role(roleName, shareGPT: isShareGPT) else {
                let known = isShareGPT ? "system, human, gpt (or user, assistant)" : "system, user, assistant"
                return fail(.chatUnknownRole, "\(place).\(roleKey) is \"\(roleName)\" (known: \(known))")
            }
            let content: String
            switch message.first(where: { $0.0 == contentKey })?.1 {
            case nil, .null?:
                return fail(.chatMissingContent, "\(place) has no \"\(contentKey)\" (or it is null)")
            case .string(let text)?:
                content = text
            case let other?:
                return fail(.chatNonStringContent, "\(place).\(contentKey) is \(other.kindDescription), not a string")
            }
            if let literal = forbidden.firstMatch(in: content) {
                return fail(.chatSpecialToken, "\(place).\(contentKey) contains \"\(literal)\" literally (it would be encoded as the special piece and forge a turn)")
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        guard messages.contains(where: { $0.role == .assistant }) else {
            return fail(.chatNoAssistantTurn, "\"\(field)\" has no assistant message, so nothing would be trained")
        }
        return .success((messages, members.filter { $0.0 != field }))
    }

    /// OpenAI roles are taken as they are; ShareGPT's `human`/`gpt` (and `user`/`assistant`,
    /// which some ShareGPT exports use) map to the template's names.
    static func role(_ name: String, shareGPT: Bool) -> ChatMessage.Role? {
        switch name {
        case "system": return .system
        case "user": return .user
        case "assistant": return .assistant
        case "human" where shareGPT: return .user
        case "gpt" where shareGPT: return .assistant
        default: return nil
        }
    }
}

/// Finds `<|...|>` literals of a fixed set in text with one byte scan (a `String.contains` per
/// literal would rescan long documents a hundred times).
public struct ControlLiteralScanner: Sendable {
    private let literals: Set<[UInt8]>
    private let longest: Int

    public init(_ literals: [String]) {
        self.literals = Set(literals.map { Array($0.utf8) })
        longest = literals.map(\.utf8.count).max() ?? 0
    }

    public func firstMatch(in text: String) -> String? {
        guard !literals.isEmpty else { return nil }
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard let base = bytes.baseAddress else { return nil }
            let n = bytes.count
            var i = 0
            // memchr finds each "<" (vectorised); only "<|" starts a candidate.
            while i + 1 < n, let hit = memchr(base + i, 0x3C, n - i - 1) {
                i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if bytes[i + 1] == 0x7C {   // "<|"
                    var j = i + 2
                    while j + 1 < n && j + 2 - i <= longest {
                        if bytes[j] == 0x7C && bytes[j + 1] == 0x3E {   // "|>"
                            let candidate = Array(bytes[i..<(j + 2)])
                            if literals.contains(candidate) { return String(decoding: candidate, as: UTF8.self) }
                            break
                        }
                        j += 1
                    }
                }
                i += 1
            }
            return nil
        }
    }
}
