import Tensors

extension SafetensorsFile {
    /// The named tensor as a `Tensor`, failing (naming the file and tensor) unless its shape
    /// is `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        tensor(try entry(name, shape: shape))
    }

    /// The named tensor as a `Tensor` with its stored shape.
    public func tensor(_ name: String) throws -> Tensor {
        tensor(try entry(name))
    }

    /// Converts straight into the tensor's own storage (model loading copies each weight once).
    private func tensor(_ entry: SafetensorsEntry) -> Tensor {
        let t = Tensor(uninitializedShape: entry.shape)
        convert(entry, into: t.data)
        return t
    }
}
