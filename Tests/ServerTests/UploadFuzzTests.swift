import Foundation
import Imaging
import SeededRandom
import Server
import Testing

/// A short version of tools/fuzz/fuzz-uploads.py, in memory: random and mutated multipart,
/// JSON, CSV and image bodies never get a 5xx other than 503 and 504, and the service still
/// answers afterwards.
@Suite(.serialized) struct UploadFuzzTests {
    static let requests = 400

    /// Byte flips, cuts, insertions, duplications and delimiter-like splices.
    static func mutate(_ bytes: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var data = bytes
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            guard !data.isEmpty else { data = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }; continue }
            let i = Int.random(in: 0..<data.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: data[i] = UInt8.random(in: 0...255, using: &random)
            case 1: data.removeSubrange(i..<min(data.count, i + Int.random(in: 1...256, using: &random)))
            case 2: data.insert(contentsOf: (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: i)
            case 3: data = Array(data[..<i])
            case 4:
                let j = Int.random(in: 0..<data.count, using: &random)
                data.insert(contentsOf: data[j..<min(data.count, j + Int.random(in: 1...512, using: &random))], at: i)
            default: data.insert(contentsOf: Array(["\r\n", "--", "\r\n--", "\"", ";", "\r\n\r\n"][Int.random(in: 0..<6, using: &random)].utf8), at: i)
            }
        }
        return data
    }

    static func noisePNG(_ random: inout SeededGenerator) throws -> [UInt8] {
        let pixels = (0..<(96 * 80 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
        return try ImageEncoder.png(Image(width: 96, height: 80, format: .rgb, pixels: pixels))
    }

    @Test func randomAndMutatedBodiesGetNoServerError() async throws {
        var random = SeededGenerator(seed: 24)
        let photo = try Self.noisePNG(&random)
        let json = Array(#"{"age": 28, "sex": "male", "pclass": 3, "embarked": "S"}"#.utf8)
        var cases: [(path: String, type: String, body: Data)] = []
        for n in 0..<Self.requests {
            let boundary = "fuzz\(n)"
            let (form, formType) = multipartForm([("pclass", nil, nil, Data("1".utf8)), ("embarked", nil, nil, Data("C".utf8)),
                                                  ("photo", "me.png", "image/png", Data(photo))], boundary: boundary)
            switch n % 6 {
            case 0: cases.append(("/v1/survival/selfie", formType, Data(Self.mutate(Array(form), &random))))
            case 1: cases.append(("/v1/survival/selfie", formType, Data((0..<Int.random(in: 0...2048, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })))
            case 2: cases.append(("/v1/survival/predict", "application/json", Data(Self.mutate(json, &random))))
            case 3: cases.append(("/v1/survival/predict", "text/csv", Data(Self.mutate(Array("age,sex,pclass,embarked\n28,male,3,S\n".utf8), &random))))
            case 4: cases.append(("/v1/faces/detect", "image/png", Data(Self.mutate(photo, &random))))
            default: cases.append(("/v1/survival/selfie", "multipart/form-data; boundary=\(String(repeating: "b", count: n % 90))", Data(form)))
            }
        }
        let requests = cases
        try await withService(try sharedCatalog.get()) { server in
            var statuses: [Int: Int] = [:]
            for c in requests {
                let reply = try await server.call("POST", c.path, body: c.body, contentType: c.type)
                statuses[reply.status, default: 0] += 1
                #expect(reply.status < 500 || [503, 504].contains(reply.status), "\(c.path) \(c.type): \(reply.status) \(reply.text)")
                if reply.status >= 400 { #expect(reply.error != nil, "every error has the JSON shape: \(reply.text)") }
            }
            print("fuzz statuses: \(statuses.sorted { $0.key < $1.key })")
            #expect(try await server.call("GET", "/healthz").status == 200)
        }
    }
}
