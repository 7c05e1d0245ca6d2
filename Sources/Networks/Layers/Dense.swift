// The fully connected layer for inference.
import Tensors

/// y = activation(x W^T + b) for x [B, in], W [out, in], b [out] (as `linear`).
///
/// W^T [in, out] is packed once, at init, into the GEMM's panel layout; a call is one GEMM
/// with the bias and activation applied as its tiles are stored, the same values as `linear`.
public struct Dense: Sendable {
    /// W^T [in, out], prepacked.
    public let weights: PackedMatrix
    public let bias: Tensor
    public let activation: Activation

    public var inputs: Int { weights.rows }
    public var outputs: Int { weights.columns }

    /// A layer of `weight` [out, in] and `bias` [out].
    public init(weight: Tensor, bias: Tensor, activation: Activation = .none) {
        precondition(weight.rank == 2 && bias.count == weight.shape[0],
                     "Dense: weight must be [out, in] with a bias of out, got \(weight.shape) and \(bias.count)")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        weights = PackedMatrix(weight.data, rows: inputs, columns: outputs, ld: inputs, transposed: true)
        self.bias = bias
        self.activation = activation
    }

    /// Loads `prefix.weight` [outputs, inputs] and `prefix.bias` [outputs], failing with the
    /// file and tensor named when either is missing or mis-shaped.
    public init(_ file: SafetensorsFile, _ prefix: String, inputs: Int, outputs: Int, activation: Activation = .none) throws {
        self.init(weight: try file.tensor(prefix + ".weight", shape: [outputs, inputs]),
                  bias: try file.tensor(prefix + ".bias", shape: [outputs]), activation: activation)
    }

    /// The layer on a batch `x` [B, in], written into `out` when given.
    public func callAsFunction(_ x: Tensor, out: Tensor? = nil) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputs, "Dense: input must be [B, \(inputs)], got \(x.shape)")
        let y = Tensor.uninitializedOutput(out, shape: [x.shape[0], outputs])   // beta 0: every element written
        sgemm(m: x.shape[0], a: x.data, lda: inputs, packedB: weights, c: y.data, ldc: outputs,
              bias: bias.data, activation: activation)
        return y
    }
}
