import Foundation
import Inspection

/// Where trained inspection models live: `--model-store DIR`, else the INSPECT_MODEL_STORE
/// environment variable, else `./trained-models`. A model NAME is the folder
/// STORE/NAME/ (model.json + weights.safetensors). `--model` also accepts a path to a
/// bundle folder directly (any path containing a model.json).
enum ModelStore {
    static let help = "Trained models folder (default: $INSPECT_MODEL_STORE or ./trained-models); a model NAME is STORE/NAME/."

    static func root(_ option: String?) -> String {
        if let option { return option }
        if let env = ProcessInfo.processInfo.environment["INSPECT_MODEL_STORE"], !env.isEmpty { return env }
        return "trained-models"
    }

    /// The bundle folder for a model name or path.
    static func bundle(_ nameOrPath: String, store: String?) -> String {
        if FileManager.default.fileExists(atPath: (nameOrPath as NSString).appendingPathComponent(ModelBundle.cardFile)) {
            return nameOrPath
        }
        return (root(store) as NSString).appendingPathComponent(nameOrPath)
    }

    /// Loads a bundle with the backbone its card names.
    static func load(_ nameOrPath: String, store: String?, models: String?) throws -> (model: InspectionModel, card: ModelCard, path: String) {
        let path = bundle(nameOrPath, store: store)
        guard FileManager.default.fileExists(atPath: path) else {
            throw InspectionError(nameOrPath, "no such model (looked for \(path); train one with `inspect train GOOD_DIR [BAD_DIR] --name \(nameOrPath)`)")
        }
        let card = try ModelBundle.readCard(path)
        let extractor = try Backbones.load(card.backbone.name) { try ModelsDirectory.resolve(models).path }
        let (model, loadedCard) = try ModelBundle.load(path, extractor: extractor)
        return (model, loadedCard, path)
    }
}

/// Progress bars for a sequence of phases reported as (phase, done, total).
final class PhaseProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var phase = ""
    private var done = 0
    private var bar: ProgressBar?

    func update(_ newPhase: String, _ newDone: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        if newPhase != phase {
            bar?.finish()
            phase = newPhase
            done = 0
            bar = ProgressBar(total: total, label: newPhase)
        }
        if newDone > done {
            bar?.advance(by: newDone - done)
            done = newDone
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        bar?.finish()
        bar = nil
        phase = ""
    }
}
