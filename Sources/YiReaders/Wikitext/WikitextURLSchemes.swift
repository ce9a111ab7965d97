/// URL schemes that make `[scheme… label]` an external link (MediaWiki's `$wgUrlProtocols`).
enum WikitextURLSchemes {
    private static let schemes: [[UInt8]] = [
        "http://", "https://", "ftp://", "ftps://", "sftp://", "ssh://", "git://", "svn://",
        "irc://", "ircs://", "gopher://", "telnet://", "nntp://", "worldwind://", "mms://",
        "redis://", "news:", "mailto:", "xmpp:", "sip:", "sips:", "sms:", "tel:", "urn:", "geo:",
        "magnet:", "bitcoin:", "matrix:", "//",
    ].map { Array($0.utf8) }

    /// Length of the scheme at `start` (case-insensitive), or nil.
    static func schemeLength(in input: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        guard start < input.count else { return nil }
        let first = WikitextByte.lowercased(input[start])
        for scheme in schemes where scheme[0] == first && start + scheme.count <= input.count {
            var matches = true
            for offset in 1..<scheme.count where WikitextByte.lowercased(input[start + offset]) != scheme[offset] {
                matches = false
                break
            }
            if matches { return scheme.count }
        }
        return nil
    }

    /// Bytes that end a URL inside brackets: whitespace, controls and `[]<>"`.
    static func endsURL(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "\""), 0x7F:
            return true
        default:
            return false
        }
    }
}
