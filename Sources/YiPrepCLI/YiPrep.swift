import ArgumentParser
import Foundation
import YiCore

/// The `yi-prep` command tree. A library so tests can drive the real commands in-process.
public struct YiPrep: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "yi-prep",
        abstract: "Turn raw text corpora into exact Yi-tokenized, length-packed training shards.",
        discussion: "Exit codes: 0 success, 1 unexpected failure, 2 usage, 3 damaged input, 4 rejected record under --strict, 5 verify failed, 6 tokenizer problem, 7 output problem.",
        version: YiPrepVersion.string,
        subcommands: [
            PackCommand.self,
            DedupCommand.self,
            RunCommand.self,
            TokenizeCommand.self,
            StatsCommand.self,
            InspectCommand.self,
            VerifyCommand.self,
            MergeCommand.self,
            RopeCommand.self,
            EvalsetCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line and exits with the documented status (README "Exit codes").
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        let status = run(arguments, standardError: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        Foundation.exit(status)
    }

    /// Runs the command line and returns the exit status instead of exiting (for tests).
    public static func run(_ arguments: [String]?, standardError: (String) -> Void) -> Int32 {
        let verbose = (arguments ?? Array(CommandLine.arguments.dropFirst())).contains("--verbose")
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as YiError {
            standardError("yi-prep: error: " + (verbose ? error.verboseDescription : error.description))
            return error.code.exitStatus
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            standardError(fullMessage(for: error))
            // ArgumentParser reports usage problems as EX_USAGE (64); ours is 2.
            return code == .validationFailure ? YiError.Code.usage.exitStatus : code.rawValue
        }
    }
}

public enum YiPrepVersion {
    public static let string = "0.1.0"
}
