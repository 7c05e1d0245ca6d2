import Networks
import Tensors

extension FoldedConvPoolingHead {
    /// Logits of per-image deep maps ([1, h, w, C] each), 16 images per pass.
    func logits(ofDeepMaps maps: [Tensor]) -> [Float] {
        var out: [Float] = []
        for start in stride(from: 0, to: maps.count, by: 16) {
            out += logits(concat(Array(maps[start..<min(maps.count, start + 16)]), axis: 0))
        }
        return out
    }
}
