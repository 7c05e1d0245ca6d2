// Elementwise comparisons with stated tolerances that log their largest difference whether or
// not they pass, as llm.c's tests do: a tolerance that is far looser than the differences seen
// shows in the log, and a failure names the element that exceeds its tolerance by most.
import Foundation
import Tensors
import Testing

/// Expects |actual[i] - expected[i]| <= tolerance(i) for every i, and logs
/// "what: max |diff| = 3.1e-06 (tolerance 0.0001)" (the tolerance at the largest difference).
public func expectClose(_ actual: [Double], _ expected: [Double], tolerance: (Int) -> Double, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual, expected, tolerance: tolerance, describedAs: nil, what, sourceLocation: sourceLocation)
}

/// Expects |actual[i] - expected[i]| <= absolute + relative * |expected[i]| for every i, and
/// logs "what: max |diff| = 3.1e-06 (tolerance 0.0001 + 0.001 |expected|)".
public func expectClose(_ actual: [Double], _ expected: [Double], absolute: Double, relative: Double = 0, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let proportional = "\(short(relative)) |expected|"
    let text = relative == 0 ? short(absolute) : absolute == 0 ? proportional : "\(short(absolute)) + " + proportional
    expectClose(actual, expected, tolerance: { absolute + relative * abs(expected[$0]) }, describedAs: text, what,
                sourceLocation: sourceLocation)
}

public func expectClose(_ actual: [Float], _ expected: [Double], tolerance: (Int) -> Double, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual.map(Double.init), expected, tolerance: tolerance, what, sourceLocation: sourceLocation)
}

public func expectClose(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double = 0, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual.map(Double.init), expected, absolute: absolute, relative: relative, what, sourceLocation: sourceLocation)
}

/// Tensors: equal shapes, then the elementwise comparison.
public func expectClose(_ actual: Tensor, _ expected: Tensor, absolute: Double, relative: Double = 0, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape), expected \(expected.shape)",
            sourceLocation: sourceLocation)
    expectClose(actual.doubles, expected.doubles, absolute: absolute, relative: relative, what, sourceLocation: sourceLocation)
}

/// One value: |actual - expected| <= absolute + relative * |expected|, logged the same way.
public func expectClose(_ actual: Double, _ expected: Double, absolute: Double, relative: Double = 0, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose([actual], [expected], absolute: absolute, relative: relative, what, sourceLocation: sourceLocation)
}

/// 8-bit samples (decoded or resampled images against a reference), tolerance in levels.
public func expectClose(_ actual: [UInt8], _ expected: [UInt8], absolute: Int, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual.map(Double.init), expected.map(Double.init), absolute: Double(absolute), what,
                sourceLocation: sourceLocation)
}

private func expectClose(_ actual: [Double], _ expected: [Double], tolerance: (Int) -> Double, describedAs text: String?,
                         _ what: String, sourceLocation: SourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    let count = min(actual.count, expected.count)
    var largest = 0.0, largestIndex = -1, worst = 0.0, worstIndex = -1
    for i in 0..<count {
        let difference = abs(actual[i] - expected[i])
        if largestIndex < 0 || !(difference <= largest) { largest = difference; largestIndex = i }
        let excess = difference - tolerance(i)
        if !(excess <= 0) && (worstIndex < 0 || !(excess <= worst)) { worst = excess; worstIndex = i }
    }
    let stated = text ?? (largestIndex >= 0 ? short(tolerance(largestIndex)) : "-")
    print("\(what): max |diff| = \(short(largestIndex >= 0 ? largest : 0)) (tolerance \(stated))")
    if worstIndex >= 0 {
        let message = "\(what): element \(worstIndex) is \(actual[worstIndex]), expected \(expected[worstIndex]) "
            + "(tolerance \(short(tolerance(worstIndex))); max |diff| \(short(largest)))"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Two significant digits: 3.1e-06, 0.00012, 0.
private func short(_ value: Double) -> String { String(format: "%.2g", value) }
