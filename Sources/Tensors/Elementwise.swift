// Elementwise ops: activations (forward and backward), PReLU, add, multiply, bias epilogues, concat.
import Foundation
import WorkerThreads

/// Activation fused into convolution and linear outputs.
public enum Activation: Sendable, Equatable {
    case none, relu, relu6
}

/// ReLU / ReLU6 on 16 lanes with compare-and-select (`replacing(with:where:)`), which compiles
/// to vector compares and blends. The standard library's `pointwiseMax`/`pointwiseMin` for
/// floating-point lanes (IEEE maximum/minimum, NaN rules per lane) compiled to a scalar
/// compare per lane through the stack: 160 times slower in a loop of maxima measured here.
@inline(__always)
func activate(_ v: SIMD16<Float>, _ activation: Activation) -> SIMD16<Float> {
    switch activation {
    case .none: return v
    case .relu: return v.replacing(with: 0, where: v .< 0)
    case .relu6:
        let r = v.replacing(with: 0, where: v .< 0)
        return r.replacing(with: 6, where: r .> 6)
    }
}

@inline(__always)
func activate(_ v: Float, _ activation: Activation) -> Float {
    switch activation {
    case .none: return v
    case .relu: return max(v, 0)
    case .relu6: return min(max(v, 0), 6)
    }
}

/// Runs `body(range)` over 0..<count split into contiguous chunks on the shared pool; small
/// counts run on the calling thread. `grain` is the smallest worthwhile chunk.
func parallelChunks(_ count: Int, grain: Int = 16384, _ body: (Range<Int>) -> Void) {
    let parts = splitRange(count, parts: min(WorkerPool.shared.threads, max(1, count / grain)))
    if parts.count <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    WorkerPool.shared.parallelFor(count: parts.count) { body(parts[$0]) }
}

/// Applies `f` to SIMD16 groups of `x` (and a scalar tail) into `y`, in parallel.
@inline(__always)
func mapElements(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                 _ vector: (SIMD16<Float>) -> SIMD16<Float>, _ scalar: (Float) -> Float) {
    parallelChunks(count) { range in
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            store16(y + i, vector(load16(x + i)))
            i += 16
        }
        while i < range.upperBound { y[i] = scalar(x[i]); i += 1 }
    }
}

/// activation(x) elementwise.
public func activation(_ x: Tensor, _ kind: Activation, out: Tensor? = nil) -> Tensor {
    let y = Tensor.uninitializedOutput(out, shape: x.shape)
    mapElements(count: x.count, x.data, y.data, { activate($0, kind) }, { activate($0, kind) })
    return y
}

/// Gradient through an activation, from its *output* y: dx = dy * f'(x), where for ReLU
/// f' = [y > 0] and for ReLU6 f' = [0 < y < 6] (both expressible from y alone).
public func activationBackward(output y: Tensor, gradOutput dy: Tensor, _ kind: Activation, out: Tensor? = nil) -> Tensor {
    precondition(y.shape == dy.shape, "activationBackward: output \(y.shape) vs gradient \(dy.shape)")
    let dx = Tensor.output(out, shape: y.shape)
    for i in 0..<y.count {
        let v = y.data[i]
        let pass: Bool
        switch kind {
        case .none: pass = true
        case .relu: pass = v > 0
        case .relu6: pass = v > 0 && v < 6
        }
        dx.data[i] = pass ? dy.data[i] : 0
    }
    return dx
}

/// Parametric ReLU (He et al. 2015), in place: x = x if x > 0 else slope[c] * x, where c is the
/// last (channel) dimension. Returns `x`.
@discardableResult
public func preluInPlace(_ x: Tensor, slopes: Tensor) -> Tensor {
    let c = x.shape.last ?? 1
    precondition(slopes.count == c, "prelu: \(slopes.count) slopes for \(c) channels")
    let count = x.count
    guard c > 0, count > 0 else { return x }
    // The tensor runs flat, 16 values at a time by compare and select, against the slopes
    // repeated over lcm(c, 16) values, so a channel count that is not a multiple of 16 (MTCNN's
    // 10 and 28) needs no scalar tail per pixel. Concrete SIMD16: generic SIMD code and the
    // standard library's pointwiseMax/Min compiled to per-lane scalar code.
    var a = c, b = 16
    while b != 0 { (a, b) = (b, a % b) }
    let period = c / a * 16
    let pattern = UnsafeMutablePointer<Float>.allocate(capacity: period)
    defer { pattern.deallocate() }
    for i in 0..<period { pattern[i] = slopes.data[i % c] }
    var i = 0, phase = 0
    while i + 16 <= count {
        let v = load16(x.data + i)
        store16(x.data + i, v.replacing(with: v * load16(pattern + phase), where: v .< 0))
        i += 16
        phase += 16
        if phase == period { phase = 0 }
    }
    while i < count {
        if x.data[i] < 0 { x.data[i] *= slopes.data[i % c] }
        i += 1
    }
    return x
}

/// Logistic sigmoid 1 / (1 + e^-x), computed stably for large |x|.
public func sigmoid(_ x: Tensor, out: Tensor? = nil) -> Tensor {
    let y = Tensor.output(out, shape: x.shape)
    for i in 0..<x.count { y.data[i] = stableSigmoid(x.data[i]) }
    return y
}

@inline(__always)
func stableSigmoid(_ v: Float) -> Float {
    if v >= 0 { return 1 / (1 + expf(-v)) }
    let e = expf(v)
    return e / (1 + e)
}

/// Sigmoid gradient from its output: dx = dy * y * (1 - y).
public func sigmoidBackward(output y: Tensor, gradOutput dy: Tensor, out: Tensor? = nil) -> Tensor {
    precondition(y.shape == dy.shape, "sigmoidBackward: output \(y.shape) vs gradient \(dy.shape)")
    let dx = Tensor.output(out, shape: y.shape)
    for i in 0..<y.count { dx.data[i] = dy.data[i] * y.data[i] * (1 - y.data[i]) }
    return dx
}

/// Elementwise a + b. `b` either has a's shape, or is a vector of a's last dimension
/// (broadcast over the other dimensions, e.g. a per-channel bias on NHWC).
public func add(_ a: Tensor, _ b: Tensor, out: Tensor? = nil) -> Tensor {
    binary(a, b, out: out, "add", { $0 + $1 }, { $0 + $1 })
}

/// Elementwise a * b, with the same broadcasting rule as `add`.
public func multiply(_ a: Tensor, _ b: Tensor, out: Tensor? = nil) -> Tensor {
    binary(a, b, out: out, "multiply", { $0 * $1 }, { $0 * $1 })
}

@inline(__always)
private func binary(_ a: Tensor, _ b: Tensor, out: Tensor?, _ name: String,
                    _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>, _ scalar: (Float, Float) -> Float) -> Tensor {
    let period: Int
    if a.shape == b.shape {
        period = a.count
    } else {
        precondition(b.rank == 1 && b.count == (a.shape.last ?? 0),
                     "\(name): shapes \(a.shape) and \(b.shape) are neither equal nor a last-dimension broadcast")
        period = b.count
    }
    let y = Tensor.uninitializedOutput(out, shape: a.shape)   // every element written below
    if period == 0 { return y }
    let pa = a.data, pb = b.data, py = y.data
    parallelChunks(a.count / period, grain: max(1, 16384 / period)) { rows in
        for r in rows {
            let base = r * period
            var i = 0
            while i + 16 <= period {
                store16(py + base + i, vector(load16(pa + base + i), load16(pb + i)))
                i += 16
            }
            while i < period { py[base + i] = scalar(pa[base + i], pb[i]); i += 1 }
        }
    }
    return y
}

/// Concatenates tensors along `axis` (for NHWC channels, axis 3). All other dimensions must match.
public func concat(_ tensors: [Tensor], axis: Int, out: Tensor? = nil) -> Tensor {
    precondition(!tensors.isEmpty, "concat: no tensors")
    let first = tensors[0].shape
    precondition(axis >= 0 && axis < first.count, "concat: axis \(axis) out of range for rank \(first.count)")
    var shape = first
    shape[axis] = 0
    for t in tensors {
        var s = t.shape
        precondition(s.count == first.count, "concat: rank mismatch \(t.shape) vs \(first)")
        shape[axis] += s[axis]
        s[axis] = first[axis]
        precondition(s == first, "concat: shape \(t.shape) does not match \(first) outside axis \(axis)")
    }
    let y = Tensor.output(out, shape: shape)
    let outer = first[..<axis].reduce(1, *)
    let inner = first[(axis + 1)...].reduce(1, *)
    let rowOut = shape[axis] * inner
    var offset = 0
    for t in tensors {
        let rowIn = t.shape[axis] * inner
        for o in 0..<outer {
            (y.data + o * rowOut + offset).update(from: t.data + o * rowIn, count: rowIn)
        }
        offset += rowIn
    }
    return y
}
