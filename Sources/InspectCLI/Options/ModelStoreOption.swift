import ArgumentParser
import Inspection

/// `--model-store DIR`: where trained inspection models are (`ModelStore`).
struct ModelStoreOption: ParsableArguments {
    @Option(name: .customLong("model-store"), help: "Trained models folder (default: $INSPECT_MODEL_STORE or ./trained-models); a model NAME has its versions in STORE/NAME/vN/.")
    var modelStore: String?

    var store: ModelStore { ModelStore(root: modelStore) }

    /// Loads a model by name or path, its backbone's weights from the Models directory.
    func load(_ nameOrPath: String, models: ModelsOption) throws(InspectionError) -> StoredModel {
        try store.load(nameOrPath) { try models.directory().path }
    }
}
