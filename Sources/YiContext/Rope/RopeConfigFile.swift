import YiCore

/// `config.json` in and out: parse, patch, and render the way `yi-prep rope` writes it.
public enum RopeConfigFile {
    public static func patch(path: String, targetLength: Int, method: RopeMethod,
                             options: RopeOptions = RopeOptions()) throws -> (text: String, result: RopePatchResult) {
        let config: JSONValue
        do {
            config = try JSONParser.parse(bytes: FileReading.readAll(path))
        } catch let error as YiError {
            throw error.adding(.init(path: path))
        }
        do {
            let result = try RopePatcher.patch(config, targetLength: targetLength, method: method, options: options)
            return (render(result.config), result)
        } catch let error as YiError {
            throw error.adding(.init(path: path))
        }
    }

    /// Pretty JSON (2-space indent, as Hugging Face writes configs) with a final newline.
    public static func render(_ config: JSONValue) -> String {
        JSONWriter.string(config, pretty: true) + "\n"
    }
}
