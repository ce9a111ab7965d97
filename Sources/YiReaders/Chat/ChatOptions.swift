import YiCore

/// The chat templates yi-prep renders (`--chat yi`).
public enum ChatTemplate: String, Sendable, CaseIterable {
    /// Yi-34B-Chat's `tokenizer_config.json` `chat_template` (ChatML): per message
    /// `<|im_start|>` + role + `\n` + content + `<|im_end|>` + `\n`; no BOS, no default system prompt.
    case yi
}

/// Which assistant turns are trained (`--train-on`).
public enum ChatTrainOn: String, Sendable, CaseIterable {
    /// Every assistant message's content and its closing `<|im_end|>`.
    case assistant
    /// Only the last assistant message's content and `<|im_end|>`.
    case lastAssistant = "last-assistant"
    /// Every token of the conversation (as plain text would be).
    case all
}

/// How a JSONL input is read as conversations instead of plain text.
public struct ChatOptions: Sendable, Equatable {
    public var template: ChatTemplate
    public var trainOn: ChatTrainOn
    /// Strings that may not occur in a message's role or content: the model's chat-control
    /// pieces (`<|im_start|>`, `<|im_end|>`, ...). Written literally they would be encoded as the
    /// special ids and forge turn boundaries, so such a record is rejected
    /// (`chat-special-token`). The pipeline fills this from the tokenizer model.
    public var forbiddenLiterals: [String]

    public init(template: ChatTemplate = .yi, trainOn: ChatTrainOn = .assistant, forbiddenLiterals: [String] = []) {
        self.template = template
        self.trainOn = trainOn
        self.forbiddenLiterals = forbiddenLiterals
    }
}

extension RejectReason {
    /// A chat record with neither a `messages` nor a `conversations` field.
    public static let chatMissingMessages = RejectReason("chat-missing-messages")
    /// `messages` and `conversations` both present: which one is meant is unclear.
    public static let chatAmbiguousMessages = RejectReason("chat-ambiguous-messages")
    /// `messages`/`conversations` is not a JSON list.
    public static let chatNotAList = RejectReason("chat-not-a-list")
    /// The list is empty.
    public static let chatEmpty = RejectReason("chat-empty")
    /// An element of the list is not an object.
    public static let chatMessageNotAnObject = RejectReason("chat-message-not-an-object")
    /// A message without a (string) `role` / `from`.
    public static let chatMissingRole = RejectReason("chat-missing-role")
    /// A role other than system/user/assistant (OpenAI) or system/human/gpt (ShareGPT).
    public static let chatUnknownRole = RejectReason("chat-unknown-role")
    /// A message whose `content` / `value` is missing or null.
    public static let chatMissingContent = RejectReason("chat-missing-content")
    /// A message whose content is not a string (lists of content parts are not supported).
    public static let chatNonStringContent = RejectReason("chat-non-string-content")
    /// No assistant message: nothing would be trained.
    public static let chatNoAssistantTurn = RejectReason("chat-no-assistant-turn")
    /// A message holds a chat-control piece (`<|im_start|>`, `<|im_end|>`, ...) literally.
    public static let chatSpecialToken = RejectReason("chat-special-token")
}
