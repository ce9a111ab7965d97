import YiCore

extension ChatTemplate {
    /// The conversation as the template renders it, with the trained byte ranges and turn ends.
    ///
    /// Yi: per message `<|im_start|>` + role + `\n` + content + `<|im_end|>` + `\n` (exactly
    /// `tokenizer_config.json`'s `chat_template` without the generation prompt). Trained bytes
    /// (`.assistant`): an assistant message's content and its `<|im_end|>`; never the header
    /// `<|im_start|>assistant\n` nor the `\n` after `<|im_end|>`.
    public func render(_ messages: [ChatMessage], trainOn: ChatTrainOn) -> (text: String, layout: ChatLayout) {
        let lastAssistant = messages.lastIndex { $0.role == .assistant }
        var text = ""
        text.reserveCapacity(messages.reduce(0) { $0 + $1.content.utf8.count + 32 })
        var bytes = 0
        var trained: [Range<Int>] = []
        var turns: [ChatLayout.Turn] = []
        for (index, message) in messages.enumerated() {
            let header = "<|im_start|>" + message.role.rawValue + "\n"
            let turnStart = bytes
            text += header
            bytes += header.utf8.count
            let contentStart = bytes
            text += message.content
            text += "<|im_end|>"
            bytes += message.content.utf8.count + "<|im_end|>".utf8.count
            let trainedRange: Range<Int>?
            switch trainOn {
            case .assistant: trainedRange = message.role == .assistant ? contentStart..<bytes : nil
            case .lastAssistant: trainedRange = index == lastAssistant ? contentStart..<bytes : nil
            case .all: trainedRange = nil
            }
            text += "\n"
            bytes += 1
            if trainOn == .all {
                trained.append(turnStart..<bytes)
            } else if let trainedRange {
                trained.append(trainedRange)
            }
            turns.append(ChatLayout.Turn(end: bytes, isTrained: trainOn == .all || trainedRange != nil))
        }
        // `.all`: one range (adjacent turns joined).
        if trainOn == .all, let first = trained.first, let last = trained.last { trained = [first.lowerBound..<last.upperBound] }
        return (text, ChatLayout(trainedRanges: trained, turns: turns))
    }
}
