import Foundation
import Networks
import Tensors
import Testing
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

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func ageNetworkMatchesONNXRuntime() throws {
        let chips = try fixture.tensor("age_chips")
        let expected = try fixture.tensor("age_probabilities")
        #expect(chips.shape[0] >= 4 && chips.shape[1] == 64)
        let ours = estimator.ageProbabilities(estimator.normalizedChips(bytes: chips, forAge: true))
        #expect(ours.shape == expected.shape)
        let difference = maxDifference(ours, expected)
        #expect(difference < 1e-4, "max |ours - ORT| = \(difference)")
    }

    @Test func genderNetworkMatchesONNXRuntime() throws {
        let chips = try fixture.tensor("gender_chips")
        let expected = try fixture.tensor("gender_probabilities")
        let ours = estimator.genderProbabilities(estimator.normalizedChips(bytes: chips, forAge: false))
        #expect(ours.shape == expected.shape)
        let difference = maxDifference(ours, expected)
        #expect(difference < 1e-4, "max |ours - ORT| = \(difference)")
    }
}
