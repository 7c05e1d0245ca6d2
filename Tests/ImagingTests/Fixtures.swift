import Foundation
@testable import Imaging
import Testing
import TestSupport

/// The fixtures written by tools/fixtures/make_imaging_fixtures.py and their manifest.
struct Fixture: Decodable, Sendable, CustomTestStringConvertible {
    let file: String
    let width: Int
    let height: Int
    let channels: Int
    let tolerance: Int
    let format: String?
    let orientation: Int?
    let storedWidth: Int?
    let storedHeight: Int?
    let minimumWidth: Int?
    let minimumHeight: Int?
    let scaleDenominator: Int?
    let source: String?
    let filter: String?
    let progressive: Bool?
    let interlaced: Bool?

    var testDescription: String { file }

    static let directory = TestPaths.fixtures().path

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] { try FileBytes.read(path(name)) }

    /// Every entry of manifest.json (empty if it cannot be read, which the tests catch).
    static let all: [Fixture] = {
        struct Manifest: Decodable { let fixtures: [Fixture] }
        guard let data = FileManager.default.contents(atPath: path("manifest.json")),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return manifest.fixtures
    }()

    static var decodable: [Fixture] { all.filter { $0.format != nil } }
    static var resizes: [Fixture] { all.filter { $0.filter != nil } }

    func expected() throws -> [UInt8] { try Fixture.bytes(file + ".expected") }
}
