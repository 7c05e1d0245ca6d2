import Testing
import Tensors
import TestSupport

/// The shared comparison itself: it passes within the tolerance and records an issue beyond
/// it, for a count mismatch, for a NaN and for tensors of different shapes.
@Suite("expectClose") struct CloseComparisonTests {
    @Test func passesWithinTheTolerance() {
        expectClose([1, 2.5] as [Double], [1.00001, 2.5], absolute: 1e-4, "within absolute")
        expectClose([100, -200] as [Float], [100.01, -200.02], absolute: 0, relative: 1e-3, "within relative")
        expectClose([Float(0.5)], [0.5], tolerance: { _ in 0 }, "exact")
    }

    @Test func recordsAnIssueBeyondTheTolerance() {
        withKnownIssue { expectClose([1, 2] as [Double], [1, 2.1], absolute: 0.05, "beyond absolute") }
        withKnownIssue { expectClose([Double.nan], [0], absolute: 1, "NaN") }
        withKnownIssue { expectClose([1, 2] as [Double], [1], absolute: 1, "count mismatch") }
        withKnownIssue { expectClose(Tensor(shape: [2, 3]), Tensor(shape: [3, 2]), absolute: 0, "shape mismatch") }
        withKnownIssue { expectClose([UInt8(10)], [12], absolute: 1, "bytes beyond tolerance") }
    }
}
