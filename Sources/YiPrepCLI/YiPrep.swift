import ArgumentParser
import YiCore

/// The `yi-prep` command tree. A library so tests can drive the real commands in-process.
public struct YiPrep: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "yi-prep",
        abstract: "Turn raw text corpora into exact Yi-tokenized, length-packed training shards.",
        version: YiPrepVersion.string,
        subcommands: []
    )

    public init() {}
}

public enum YiPrepVersion {
    public static let string = "0.1.0"
}
