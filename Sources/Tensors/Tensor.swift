// Tensors: Float32 tensor storage (NHWC), SIMD GEMM and convolution kernels, forward and
// backward ops and optimizers. Depends on the Swift standard library, Foundation, SeededRandom
// for its generator and WorkerThreads for the pool its kernels split their work over.
import SeededRandom

/// A dense Float32 tensor.
///
/// Layout: contiguous, row-major (the last dimension varies fastest), no strides. Image-like
/// tensors are **NHWC**: shape `[N, H, W, C]`, element (n, h, w, c) at
/// `((n * H + h) * W + w) * C + c`. This is the layout the Imaging layer produces (HWC Float
/// arrays, one image per N), and it keeps a pixel's channels contiguous, so 1x1 convolutions
/// are plain GEMMs and depthwise convolutions vectorise over channels. Other conventions:
/// matrices `[rows, cols]`; linear weights `[out, in]`; convolution weights
/// `[KH, KW, Cin / groups, Cout]` (HWIO); depthwise weights `[KH, KW, 1, C]`.
///
/// `Tensor` is a reference type: ops that take an `out:` tensor write into it (reshaping it,
/// and reallocating only when it is too small), so a network can reuse its activation buffers
/// across calls without allocating. Use `copy()` for an independent tensor.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    /// 64-byte aligned storage of at least `count` floats.
    public private(set) var data: UnsafeMutablePointer<Float>
    private var capacity: Int

    /// Number of elements (product of the shape).
    public var count: Int { Tensor.elementCount(shape) }
    public var rank: Int { shape.count }

    static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1) { product, dim in
            precondition(dim >= 0, "Tensor: negative dimension in shape \(shape)")
            return product * dim
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let capacity = max(count, 1)
        return UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: capacity)
    }

    /// A tensor of the given shape filled with `value` (zero by default).
    public convenience init(shape: [Int], repeating value: Float = 0) {
        self.init(uninitializedShape: shape)
        data.initialize(repeating: value, count: max(count, 1))
    }

    /// A tensor of the given shape whose values the caller writes before reading any (no fill
    /// pass; for loaders that overwrite every element, such as model weights).
    public init(uninitializedShape shape: [Int]) {
        let n = Tensor.elementCount(shape)
        self.shape = shape
        capacity = n
        data = Tensor.allocate(n)
    }

    /// A tensor holding `data` in row-major order (for images: an HWC or NHWC array, as the
    /// Imaging layer produces). The array's count must equal the product of `shape`.
    public convenience init(shape: [Int], data values: [Float]) {
        precondition(values.count == Tensor.elementCount(shape),
                     "Tensor(shape: \(shape)) needs \(Tensor.elementCount(shape)) values, got \(values.count)")
        self.init(shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { data.update(from: base, count: values.count) }
        }
    }

    /// Like `init(shape:data:)`, but for shapes and values that come from a file (model
    /// weights): a negative dimension or a count mismatch throws instead of stopping.
    public convenience init(shape: [Int], validating values: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        let expected = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard expected == values.count else {
            throw TensorError.elementCountMismatch(shape: shape, expected: expected, actual: values.count)
        }
        self.init(shape: shape, data: values)
    }

    /// A tensor of independent samples from N(0, std^2), reproducible for a given generator state.
    public static func randomNormal(shape: [Int], std: Float = 1, using rng: inout SeededGenerator) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t.data[i] = std * rng.nextGaussian() }
        return t
    }

    /// A tensor of independent samples uniform in `range`.
    public static func randomUniform(shape: [Int], in range: ClosedRange<Float>, using rng: inout SeededGenerator) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t.data[i] = Float.random(in: range, using: &rng) }
        return t
    }

    deinit { data.deallocate() }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Element at a multi-index (bounds-checked; for tests and small code, not hot loops).
    public subscript(_ index: Int...) -> Float {
        get { data[offset(index)] }
        set { data[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) for shape \(shape)")
        var flat = 0
        for (i, dim) in zip(index, shape) {
            precondition(i >= 0 && i < dim, "Tensor: index \(index) out of bounds for shape \(shape)")
            flat = flat * dim + i
        }
        return flat
    }

    /// Changes the shape, keeping the storage; reallocates (contents unspecified) only when
    /// the new shape needs more elements than the buffer holds.
    public func resize(to newShape: [Int]) {
        let n = Tensor.elementCount(newShape)
        if n > capacity {
            data.deallocate()
            data = Tensor.allocate(n)
            capacity = n
        }
        shape = newShape
    }

    /// Reinterprets the same elements with another shape of equal element count.
    public func reshape(to newShape: [Int]) {
        precondition(Tensor.elementCount(newShape) == count, "Tensor.reshape: \(shape) -> \(newShape) changes the element count")
        shape = newShape
    }

    /// An independent copy.
    public func copy() -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(from: data, count: count)
        return t
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// `out` resized to `shape`, or a new tensor when `out` is nil: the reuse rule of every op.
    public static func output(_ out: Tensor?, shape: [Int]) -> Tensor {
        guard let out else { return Tensor(shape: shape) }
        out.resize(to: shape)
        return out
    }

    /// `out` resized to `shape`, or a new tensor whose elements are left unset (no zero-fill
    /// pass): only for ops that write every element of their output before anything reads it.
    /// `output(_:shape:)`, which zero-fills a new tensor, stays the default.
    public static func uninitializedOutput(_ out: Tensor?, shape: [Int]) -> Tensor {
        guard let out else { return Tensor(uninitializedShape: shape) }
        out.resize(to: shape)
        return out
    }

    /// The dimensions of a rank-4 NHWC tensor.
    var nhwc: (n: Int, h: Int, w: Int, c: Int) {
        precondition(shape.count == 4, "expected an NHWC tensor of rank 4, got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }
}

/// Errors for tensors built from data the program does not control.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case invalidShape([Int])
    case elementCountMismatch(shape: [Int], expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .invalidShape(let shape): return "invalid tensor shape \(shape): dimensions must be non-negative"
        case .elementCountMismatch(let shape, let expected, let actual):
            return "tensor shape \(shape) needs \(expected) values, got \(actual)"
        }
    }
}
