/// Built-in filler sentences. (The built-in prose is `BuiltinBook`.)
enum BuiltinFiller {
    /// The classic pass-key filler of Mohtashami & Jaggi (2023, "Landmark Attention"), repeated.
    static let passkeyGarbage = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
}
