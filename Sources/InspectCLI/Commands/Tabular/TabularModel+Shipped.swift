import Foundation
import Tabular

extension TabularModel {
    /// The model in `file`, else the shipped survival model in the Models directory (`--models`).
    static func load(file: String?, models: ModelsOption) throws -> TabularModel {
        if let file { return try TabularModel.load(path: file) }
        return try TabularModel.load(path: models.directory().appendingPathComponent(SurvivalInput.modelFile).path)
    }
}
