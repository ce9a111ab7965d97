/// The contracts every stage follows (see docs/architecture.md).
///
/// Readers produce documents; filters keep or drop them with a counted reason; the tokenizer and
/// packer transform them. Every stage counts what it did into `Counters`.

/// A pull-based stream of documents. `next()` returns nil at the end of the input.
///
/// Record-level problems are reported to the `RejectLog` the source was created with and the
/// stream goes on; file-level damage throws a `YiError` (`.corruptInput`) after the documents that
/// came before it were returned, and the source then ends.
public protocol DocumentSource {
    mutating func next() throws -> Document?
}

/// What a filter decides about one document.
public enum FilterVerdict: Sendable, Equatable {
    case keep
    /// `reason` becomes the counter `dropped.<reason>`: short, stable, kebab-case.
    case drop(reason: String)
}

/// A pure per-document decision. Filters with state across documents (dedup) are classes that
/// the pipeline calls from one thread in input order.
public protocol DocumentFilter {
    /// Stable name used in pipeline files and the manifest.
    var name: String { get }
    mutating func verdict(for document: Document) -> FilterVerdict
}
