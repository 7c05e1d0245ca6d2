import Inspection

extension ModelStore {
    /// Help of the `--model-store` option.
    static let optionHelp = "Trained models folder (default: $INSPECT_MODEL_STORE or ./trained-models); a model NAME is STORE/NAME/."

    /// Loads a model by name or path; the Models directory comes from `--models` (or its defaults).
    func load(_ nameOrPath: String, models: String?) throws(InspectionError) -> StoredModel {
        try load(nameOrPath) { try ModelsDirectory.resolve(models).path }
    }
}
