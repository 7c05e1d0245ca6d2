import Foundation
import Networks
import Tensors
import Testing
import TestSupport
@testable import Faces

/// Our age and gender networks against ONNX Runtime on the reference package's own aligned
/// chips (Fixtures/network-parity.safetensors, made by tools/fixtures/make-face-fixtures.sh).
struct NetworkParityTests {
    let estimator: AgeGenderEstimator
    let fixture: SafetensorsFile

    init() throws {
        estimator = try AgeGenderEstimator(modelsDirectory: FacesFixtures.models)
        fixture = try SafetensorsFile(contentsOf: FacesFixtures.url("network-parity.safetensors").path)
    }

    @Test func ageNetworkMatchesONNXRuntime() throws {
        let chips = try fixture.tensor("age_chips")
        let expected = try fixture.tensor("age_probabilities")
        #expect(chips.shape[0] >= 4 && chips.shape[1] == 64)
        let ours = estimator.ageProbabilities(estimator.normalizedChips(bytes: chips, forAge: true))
        expectClose(ours, expected, absolute: 1e-4, "age probabilities vs ONNX Runtime")
    }

    @Test func genderNetworkMatchesONNXRuntime() throws {
        let chips = try fixture.tensor("gender_chips")
        let expected = try fixture.tensor("gender_probabilities")
        let ours = estimator.genderProbabilities(estimator.normalizedChips(bytes: chips, forAge: false))
        expectClose(ours, expected, absolute: 1e-4, "gender probabilities vs ONNX Runtime")
    }
}
