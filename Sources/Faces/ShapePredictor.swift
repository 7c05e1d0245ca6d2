import Foundation
import Imaging
import Networks

/// dlib's shape predictor: a cascade of regression-tree ensembles (Kazemi and Sullivan, "One
/// Millisecond Face Alignment with an Ensemble of Regression Trees", CVPR 2014), here the
/// 5-point face model converted by tools/models/convert_face_models.py.
///
/// Shapes live in the face box's unit square. Each cascade level reads pixel intensities at
/// points anchored to the current shape's landmarks (offsets warped by the similarity from the
/// mean shape to the current one), and every tree of the level walks its splits on
/// differences of two such intensities and adds its leaf's shape increment.
public struct ShapePredictor: Sendable {
    let parts: Int
    let initialShape: [Float]          // [parts * 2], x then y
    let cascades, trees, nodes, features: Int
    let splitFeatures: [Int32]         // [cascade, tree, node, 2]
    let thresholds: [Float]            // [cascade, tree, node]
    let leafValues: [Float]            // [cascade, tree, node + 1, parts * 2]
    let anchors: [Int32]               // [cascade, feature]
    let deltas: [Float]                // [cascade, feature, 2]

    public init(modelsDirectory directory: URL) throws {
        let files = try FaceModelFiles(directory: directory, name: "face-landmarks")
        do { try self.init(weights: files.weights) } catch {
            throw FacesError(file: files.weights.source, reason: "\(error)")
        }
    }

    init(weights file: SafetensorsFile) throws {
        let (initialShapeDims, initial) = try file.floats("initial_shape")
        parts = initialShapeDims[0]
        initialShape = initial
        let (leafShape, leaves) = try file.floats("leaf_values")
        guard leafShape.count == 5, leafShape[3] == parts, leafShape[4] == 2 else {
            throw FacesError(file: file.source, reason: "leaf_values has shape \(leafShape)")
        }
        cascades = leafShape[0]; trees = leafShape[1]; nodes = leafShape[2] - 1
        leafValues = leaves
        let (anchorShape, anchorValues) = try file.floats("anchor_indices")
        features = anchorShape[1]
        anchors = anchorValues.map { Int32($0) }
        splitFeatures = try file.floats("split_features", shape: [cascades, trees, nodes, 2]).map { Int32($0) }
        thresholds = try file.floats("split_thresholds", shape: [cascades, trees, nodes])
        deltas = try file.floats("anchor_deltas", shape: [cascades, features, 2])
        guard anchorShape == [cascades, features],
              anchors.allSatisfy({ $0 >= 0 && Int($0) < parts }),
              splitFeatures.allSatisfy({ $0 >= 0 && Int($0) < features }) else {
            throw FacesError(file: file.source, reason: "indices out of range")
        }
    }

    /// The landmarks (dlib's part order) of the face in `box`, in image pixel coordinates.
    /// `image` must be RGB or gray; intensity is the integer mean of R, G and B, as dlib's.
    public func landmarks(in image: Image, box: FaceBox) -> [FacePoint] {
        landmarks(in: image, boxes: [box])[0]
    }

    /// The landmarks of the face in each of `boxes` (for example one face's jittered boxes),
    /// each exactly as `landmarks(in:box:)` gives it. The boxes walk every tree together: a
    /// tree's leaves (its 16 shape increments, 640 bytes of a 4.8 MB table) are then read
    /// from memory once for all of them rather than once per box.
    public func landmarks(in image: Image, boxes: [FaceBox]) -> [[FacePoint]] {
        let count = boxes.count, width = parts * 2
        guard count > 0 else { return [] }
        var shapes = [Float](repeating: 0, count: count * width)
        for b in 0..<count { shapes.replaceSubrange(b * width..<(b + 1) * width, with: initialShape) }
        var values = [Float](repeating: 0, count: count * features)
        let meanShape = points(initialShape)
        for level in 0..<cascades {
            for (b, box) in boxes.enumerated() {
                let shape = Array(shapes[b * width..<(b + 1) * width])
                // Similarity from the mean shape to the current one; only its linear part moves offsets.
                let warp = SimilarityTransform.fit(from: meanShape, to: points(shape))
                let (a, c) = (Float(warp.a), Float(warp.b))
                let spanX = box.right - box.left, spanY = box.bottom - box.top
                for f in 0..<features {
                    let anchor = Int(anchors[level * features + f])
                    let dx = deltas[(level * features + f) * 2], dy = deltas[(level * features + f) * 2 + 1]
                    let ux = a * dx - c * dy + shape[anchor * 2], uy = c * dx + a * dy + shape[anchor * 2 + 1]
                    let px = (box.left + Double(ux) * spanX + 0.5).rounded(.down)
                    let py = (box.top + Double(uy) * spanY + 0.5).rounded(.down)
                    values[b * features + f] = Self.intensity(image, px, py)
                }
            }
            walkTrees(level: level, values: values, shapes: &shapes, count: count)
        }
        return boxes.indices.map { b in
            let box = boxes[b], spanX = box.right - box.left, spanY = box.bottom - box.top
            return (0..<parts).map { i in
                FacePoint(x: box.left + Double(shapes[b * width + i * 2]) * spanX, y: box.top + Double(shapes[b * width + i * 2 + 1]) * spanY)
            }
        }
    }

    /// One cascade level's trees for `count` shapes: each tree walks its splits on the
    /// differences of two of a shape's sampled intensities and adds its leaf's increment, tree
    /// after tree in the same order for every shape.
    private func walkTrees(level: Int, values: [Float], shapes: inout [Float], count: Int) {
        let width = parts * 2
        splitFeatures.withUnsafeBufferPointer { split in
        thresholds.withUnsafeBufferPointer { threshold in
        leafValues.withUnsafeBufferPointer { leaves in
        values.withUnsafeBufferPointer { sampled in
        shapes.withUnsafeMutableBufferPointer { out in
            for tree in 0..<trees {
                let t = level * trees + tree
                for b in 0..<count {
                    let own = b * features
                    var node = 0
                    while node < nodes {
                        let s = (t * nodes + node) * 2
                        let difference = sampled[own + Int(split[s])] - sampled[own + Int(split[s + 1])]
                        node = difference > threshold[t * nodes + node] ? 2 * node + 1 : 2 * node + 2
                    }
                    let leaf = (t * (nodes + 1) + node - nodes) * width
                    for i in 0..<width { out[b * width + i] += leaves[leaf + i] }
                }
            }
        }
        }
        }
        }
        }
    }

    private func points(_ shape: [Float]) -> [FacePoint] {
        (0..<parts).map { FacePoint(x: Double(shape[$0 * 2]), y: Double(shape[$0 * 2 + 1])) }
    }

    @inline(__always)
    static func intensity(_ image: Image, _ x: Double, _ y: Double) -> Float {
        guard x >= 0, y >= 0, x < Double(image.width), y < Double(image.height) else { return 0 }
        let offset = (Int(y) * image.width + Int(x)) * image.channels
        if image.channels >= 3 {
            return Float((Int(image.pixels[offset]) + Int(image.pixels[offset + 1]) + Int(image.pixels[offset + 2])) / 3)
        }
        return Float(image.pixels[offset])
    }
}
