import Foundation
import Networks

/// The JSON card beside each face model's safetensors (written by tools/models/convert_face_models.py):
/// only the fields the Swift side needs.
struct FaceModelCard: Decodable {
    struct Input: Decodable {
        struct Chip: Decodable { let padding: Double; let size: Int }
        let height: Int?
        let width: Int?
        let mean: [Float]?
        let scale: Float?
        let chip: Chip?
    }
    struct Output: Decodable {
        let classes: Int?
        let age_bins: [Float]?
        let labels: [String]?
    }
    struct File: Decodable { let name: String; let bytes: Int; let sha256: String }
    let name: String
    let input: Input?
    let output: Output?
    let file: File
}

/// A model's card and weights, loaded from `directory/NAME.json` and the file it names.
struct FaceModelFiles {
    let card: FaceModelCard
    let weights: SafetensorsFile

    init(directory: URL, name: String) throws {
        let cardURL = directory.appendingPathComponent(name + ".json")
        let data: Data
        do { data = try Data(contentsOf: cardURL) } catch {
            throw FacesError(file: cardURL.path, reason: "cannot read the model card (\(error.localizedDescription)); run tools/models/convert-face-models.sh")
        }
        do { card = try JSONDecoder().decode(FaceModelCard.self, from: data) } catch {
            throw FacesError(file: cardURL.path, reason: "malformed model card: \(error)")
        }
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
