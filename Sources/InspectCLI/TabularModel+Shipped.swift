import Foundation
import Inspection
import Tabular

extension TabularModel {
    /// The model in `file`, else the shipped survival model in the Models directory (`--models`).
    static func load(file: String?, models: String?) throws -> TabularModel {
        if let file { return try TabularModel.load(path: file) }
        let dir = try ModelsDirectory.resolve(models)
        return try TabularModel.load(path: dir.appendingPathComponent(SurvivalInput.modelFile).path)
    }
}
