// The parametric ReLU layer (He et al., "Delving Deep into Rectifiers", ICCV 2015): one
// learned slope per channel for the negative part. The kernel is Tensors' `preluInPlace`.
import Tensors

/// x if x > 0 else slope[c] * x, per channel c (the last dimension), in place.
public struct PReLU: Sendable {
    public let slopes: Tensor

    public init(slopes: Tensor) {
        precondition(slopes.rank == 1, "PReLU: slopes must be a vector, got \(slopes.shape)")
        self.slopes = slopes
    }

    /// Loads `prefix.weight` [channels], failing with the file and tensor named when it is
    /// missing or mis-shaped.
    public init(_ file: SafetensorsFile, _ prefix: String, channels: Int) throws {
        self.init(slopes: try file.tensor(prefix + ".weight", shape: [channels]))
    }

    /// Applies the layer to `x` in place and returns it.
    @discardableResult
    public func callAsFunction(_ x: Tensor) -> Tensor { preluInPlace(x, slopes: slopes) }
}
