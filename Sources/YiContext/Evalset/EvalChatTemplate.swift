/// A chat template that wraps an evaluation prompt as one user turn followed by the start of the
/// assistant's turn, for chat models (`evalset --chat yi`). The prompt is sized with the template
/// included, so the whole model input is the target length.
public enum EvalChatTemplate: String, CaseIterable, Sendable {
    /// Yi's ChatML template, exactly as `tokenizer_config.json`'s `chat_template` renders one user
    /// message with `add_generation_prompt=True`:
    /// `<|im_start|>user\n` + content + `<|im_end|>\n<|im_start|>assistant\n`.
    /// `<|im_start|>` and `<|im_end|>` are USER_DEFINED pieces of Yi's model (ids 6 and 7), so
    /// SentencePiece encodes them from the text as single tokens.
    case yi

    public var userPrefix: String {
        switch self {
        case .yi: return "<|im_start|>user\n"
        }
    }

    public var userSuffixAndGenerationPrompt: String {
        switch self {
        case .yi: return "<|im_end|>\n<|im_start|>assistant\n"
        }
    }

    /// The content as the template renders it.
    public func render(userMessage content: String) -> String {
        userPrefix + content + userSuffixAndGenerationPrompt
    }

    /// The problem inside the template: the turn's opening joins the header, its closing (and the
    /// assistant's opening) the question, so the fitter measures the whole rendered input.
    func wrap(_ problem: EvalProblem) -> EvalProblem {
        var wrapped = problem
        wrapped.header = userPrefix + problem.header
        wrapped.question = problem.question + userSuffixAndGenerationPrompt
        return wrapped
    }
}
