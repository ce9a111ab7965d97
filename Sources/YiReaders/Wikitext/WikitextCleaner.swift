/// Turns MediaWiki wikitext into plain text (being built: returns the input unchanged for now).
public struct WikitextCleaner: Sendable {
    public init() {}

    public func plainText(from wikitext: String) -> String {
        wikitext
    }
}
