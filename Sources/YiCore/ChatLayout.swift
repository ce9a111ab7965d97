/// Where a rendered conversation's turns lie in its text and which bytes are trained.
///
/// A chat document's `text` is the whole conversation rendered by its chat template; the
/// tokenizer encodes that text in one piece and the loss mask is derived from the tokens' byte
/// ranges (see `docs/chat.md`, "Mask rule"). Offsets are UTF-8 byte offsets into `text`.
public struct ChatLayout: Sendable, Equatable {
    /// Byte ranges whose tokens are training targets, ascending and disjoint.
    public var trainedRanges: [Range<Int>]
    /// Per turn, in order: the byte offset just after it (its trailing newline included) and
    /// whether it holds trained bytes. The last turn ends at the text's end.
    public var turns: [Turn]

    public struct Turn: Sendable, Equatable {
        public var end: Int
        public var isTrained: Bool
        public init(end: Int, isTrained: Bool) {
            self.end = end
            self.isTrained = isTrained
        }
    }

    public init(trainedRanges: [Range<Int>], turns: [Turn]) {
        self.trainedRanges = trainedRanges
        self.turns = turns
    }
}
