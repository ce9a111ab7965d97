import Foundation

func readFile(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path)!)
}
