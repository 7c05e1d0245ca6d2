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
        var shape = initialShape
        var values = [Float](repeating: 0, count: features)
        let meanShape = points(initialShape)
        let spanX = box.right - box.left, spanY = box.bottom - box.top
        for level in 0..<cascades {
            // Similarity from the mean shape to the current one; only its linear part moves offsets.
            let warp = SimilarityTransform.fit(from: meanShape, to: points(shape))
            let (a, b) = (Float(warp.a), Float(warp.b))
            for f in 0..<features {
                let anchor = Int(anchors[level * features + f])
                let dx = deltas[(level * features + f) * 2], dy = deltas[(level * features + f) * 2 + 1]
                let ux = a * dx - b * dy + shape[anchor * 2], uy = b * dx + a * dy + shape[anchor * 2 + 1]
                let px = (box.left + Double(ux) * spanX + 0.5).rounded(.down)
                let py = (box.top + Double(uy) * spanY + 0.5).rounded(.down)
                values[f] = Self.intensity(image, px, py)
            }
            for tree in 0..<trees {
                let t = level * trees + tree
                var node = 0
                while node < nodes {
                    let s = (t * nodes + node) * 2
                    let difference = values[Int(splitFeatures[s])] - values[Int(splitFeatures[s + 1])]
                    node = difference > thresholds[t * nodes + node] ? 2 * node + 1 : 2 * node + 2
                }
                let leaf = (t * (nodes + 1) + node - nodes) * parts * 2
                for i in 0..<parts * 2 { shape[i] += leafValues[leaf + i] }
            }
        }
        return (0..<parts).map { i in
            FacePoint(x: box.left + Double(shape[i * 2]) * spanX, y: box.top + Double(shape[i * 2 + 1]) * spanY)
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
