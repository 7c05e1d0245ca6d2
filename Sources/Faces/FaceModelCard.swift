import Foundation
import ModelCards
import Networks

/// The JSON card beside each face model's safetensors (written by tools/models/convert_face_models.py
/// and tools/models/convert_mtcnn.py): the fields this program reads.
public struct FaceModelCard: Decodable, Sendable {
    struct Input: Decodable, Sendable {
        struct Chip: Decodable, Sendable { let padding: Double; let size: Int }
        let height: Int?
        let width: Int?
        let mean: [Float]?
        let scale: Float?
        let chip: Chip?
    }
    struct Output: Decodable, Sendable {
        let classes: Int?
        let age_bins: [Float]?
        let labels: [String]?
    }
    struct File: Decodable, Sendable { let name: String; let bytes: Int; let sha256: String }
    /// The package the weights were converted from, and its version.
    public struct Source: Decodable, Sendable { public let package: String?; public let version: String? }
    public let name: String
    public let task: String?
    public let license: String?
    public let source: Source?
    let input: Input?
    let output: Output?
    let file: File

    /// Reads `directory/NAME.json`.
    public static func read(directory: URL, name: String) throws(FacesError) -> FaceModelCard {
        let path = directory.appendingPathComponent(name + ".json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FacesError(file: path, reason: "cannot read the model card; run tools/convert-face-models.sh")
        }
        do { return try ModelCardReader.decode(FaceModelCard.self, from: data, file: path) } catch {
            throw FacesError(file: error.file, reason: error.problem)
        }
    }
}

/// A model's card and weights, loaded from `directory/NAME.json` and the file it names.
struct FaceModelFiles {
    let card: FaceModelCard
    let weights: SafetensorsFile

    init(directory: URL, name: String) throws {
        card = try FaceModelCard.read(directory: directory, name: name)
        let weightsURL = directory.appendingPathComponent(card.file.name)
        let size = (try? FileManager.default.attributesOfItem(atPath: weightsURL.path)[.size] as? Int) ?? nil
        guard let size else { throw FacesError(file: weightsURL.path, reason: "weights named by \(name).json are missing") }
        guard size == card.file.bytes else {
            throw FacesError(file: weightsURL.path, reason: "has \(size) bytes, its card says \(card.file.bytes): the files do not belong together")
        }
        do {
            weights = try SafetensorsFile(contentsOf: weightsURL.path, sha256: card.file.sha256,
                                          regenerateWith: "tools/models/convert-face-models.sh")
        } catch let error as SafetensorsError {
            throw FacesError(file: weightsURL.path, reason: error.reason)
        } catch {
            throw FacesError(file: weightsURL.path, reason: "\(error)")
        }
    }
}
