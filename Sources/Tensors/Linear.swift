// Fully connected layer: y = activation(x W^T + b), with x [B, in], W [out, in], b [out].

public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, activation: Activation = .none,
                   out: Tensor? = nil) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) and weight \(weight.shape) (expected [B, in] and [out, in])")
    let (b, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
    if let bias { precondition(bias.count == outputs, "linear: bias has \(bias.count) values for \(outputs) outputs") }
    let y = Tensor.uninitializedOutput(out, shape: [b, outputs])   // beta 0: every element written
    sgemm(transA: false, transB: true, m: b, n: outputs, k: inputs, a: x.data, lda: inputs,
          b: weight.data, ldb: inputs, c: y.data, ldc: outputs, bias: bias?.data, activation: activation)
    return y
}

/// Linear backward from dL/d(x W^T + b) (before any activation):
/// dX = dY W, dW = dY^T X, dB = column sums of dY.
public func linearBackward(_ x: Tensor, weight: Tensor, gradOutput dy: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
    let (b, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
    precondition(dy.shape == [b, outputs], "linearBackward: gradOutput \(dy.shape), expected \([b, outputs])")
    let dx = Tensor(shape: x.shape), dw = Tensor(shape: weight.shape)
    sgemm(transA: false, transB: false, m: b, n: inputs, k: outputs, a: dy.data, lda: outputs,
          b: weight.data, ldb: inputs, c: dx.data, ldc: inputs)
    sgemm(transA: true, transB: false, m: outputs, n: inputs, k: b, a: dy.data, lda: outputs,
          b: x.data, ldb: inputs, c: dw.data, ldc: inputs)
    return (dx, dw, channelSums(dy))
}
