import Tensors

extension SafetensorsFile {
    /// The named tensor as a `Tensor`, failing (naming the file and tensor) unless its shape
    /// is `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        Tensor(shape: shape, data: try floats(name, shape: shape))
    }

    /// The named tensor as a `Tensor` with its stored shape.
    public func tensor(_ name: String) throws -> Tensor {
        let (shape, values) = try floats(name)
        return Tensor(shape: shape, data: values)
    }
}
