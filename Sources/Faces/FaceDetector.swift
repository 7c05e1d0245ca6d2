import Foundation
import Imaging
import Networks
import Tensors

/// A face found by the detector, in the pixel coordinates of the image it was given.
public struct DetectedFace: Sendable, Equatable {
    /// (x1, y1) top-left and (x2, y2) bottom-right corners.
    public var x1, y1, x2, y2: Double
    /// The output network's face probability, 0-1.
    public var score: Float
    /// MTCNN's five points: eye on the image's left, eye on the right, nose tip, mouth corner
    /// on the left, mouth corner on the right.
    public var points: [FacePoint]
    public var width: Double { x2 - x1 }
    public var height: Double { y2 - y1 }
}

/// MTCNN face detection (Zhang et al. 2016): an image pyramid scanned by the fully
/// convolutional proposal network (12x12 windows, stride 2), non-maximum suppression per scale
/// and across scales, then candidates re-scored and their boxes refined by the 24x24 and 48x48
/// networks. Follows facenet-pytorch's `detect_face` (the weights' source).
public struct FaceDetector: Sendable {
    let proposal: MTCNNProposalNetwork
    let refine: MTCNNRefineNetwork
    let output: MTCNNOutputNetwork
    /// Smallest face side searched for, in pixels of the image given to `detect`.
    public var minimumFaceSize: Double = 20
    /// Probability thresholds of the three stages.
    public var thresholds: (Float, Float, Float) = (0.6, 0.7, 0.7)
    /// Ratio between successive pyramid scales.
    public var scaleFactor: Double = 0.709
    /// (byte - 127.5) / 128 in Imaging's (p / 255 - mean) / std form.
    static let normalization = ChannelNormalization(mean: [127.5 / 255, 127.5 / 255, 127.5 / 255],
                                                    std: [128 / 255, 128 / 255, 128 / 255])

    public init(modelsDirectory directory: URL) throws {
        let files = try FaceModelFiles(directory: directory, name: "face-detector")
        do {
            proposal = try MTCNNProposalNetwork(weights: files.weights)
            refine = try MTCNNRefineNetwork(weights: files.weights)
            output = try MTCNNOutputNetwork(weights: files.weights)
        } catch {
            throw FacesError(file: files.weights.source, reason: "\(error)")
        }
    }

    typealias Box = (x1: Double, y1: Double, x2: Double, y2: Double)

    /// Faces in `image` (RGB or convertible), best score first.
    public func detect(_ image: Image) -> [DetectedFace] {
        let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
        guard rgb.width >= 12, rgb.height >= 12 else { return [] }
        let pyramid = pyramid(rgb)
        var candidates = proposals(pyramid)
        if candidates.isEmpty { return [] }
        candidates = square(candidates.map { regress($0.box, $0.offsets, plusOne: false) }).map { ($0, Float(0), [Float]()) }

        // Refinement: 24x24 crops.
        let refined = run(rgb, pyramid, candidates.map(\.box), size: 24) { refine($0) }
        var boxes: [Box] = [], scores: [Float] = [], offsets: [[Float]] = []
        for (i, r) in refined.enumerated() where r.score > thresholds.1 {
            boxes.append(candidates[i].box); scores.append(r.score); offsets.append(r.offsets)
        }
        let keep = nonMaximumSuppression(boxes, scores: scores, threshold: 0.7, measure: .union)
        let second = square(keep.map { regress(boxes[$0], offsets[$0], plusOne: true) })
        if second.isEmpty { return [] }

        // Output: 48x48 crops, landmarks.
        let batch = cropBatch(rgb, pyramid, second, size: 48)
        let result = output(batch)
        var faces: [DetectedFace] = []
        for i in 0..<second.count {
            let score = result.probabilities.data[i * 2 + 1]
            guard score > thresholds.2 else { continue }
            let b = second[i]
            let (w, h) = (b.x2 - b.x1 + 1, b.y2 - b.y1 + 1)
            let points = (0..<5).map { k in
                FacePoint(x: w * Double(result.landmarks.data[i * 10 + k]) + b.x1 - 1,
                          y: h * Double(result.landmarks.data[i * 10 + 5 + k]) + b.y1 - 1)
            }
            let o = (0..<4).map { result.offsets.data[i * 4 + $0] }
            let r = regress(b, o, plusOne: true)
            faces.append(DetectedFace(x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2, score: score, points: points))
        }
        let final = nonMaximumSuppression(faces.map { ($0.x1, $0.y1, $0.x2, $0.y2) }, scores: faces.map(\.score),
                                          threshold: 0.7, measure: .minimum)
        return final.map { faces[$0] }
    }

    /// The image at the pyramid's scales, each level area-resampled from the one before
    /// (cheaper than from the original; the face sizes searched are the same).
    struct Pyramid {
        var levels: [(scale: Double, image: Image)] = []
        /// The smallest level on which a box of `side` pixels is still at least `size` pixels.
        func level(for side: Double, size: Int) -> (scale: Double, image: Image)? {
            levels.last { $0.scale * side >= Double(size) }
        }
    }

    func pyramid(_ rgb: Image) -> Pyramid {
        let (w, h) = (Double(rgb.width), Double(rgb.height))
        var pyramid = Pyramid()
        var scale = 12 / minimumFaceSize, side = min(w, h) * scale
        var previous = rgb
        while side >= 12 {
            let (sw, sh) = (Int(w * scale + 1), Int(h * scale + 1))
            if sw > previous.width || sh > previous.height { previous = rgb }
            let level = previous.resized(width: sw, height: sh, filter: .area)
            pyramid.levels.append((scale, level))
            previous = level
            scale *= scaleFactor; side *= scaleFactor
        }
        return pyramid
    }

    /// Stage 1: the proposal network over the image pyramid.
    private func proposals(_ pyramid: Pyramid) -> [(box: Box, score: Float, offsets: [Float])] {
        var all: [(box: Box, score: Float, offsets: [Float])] = []
        for (scale, resized) in pyramid.levels {
            let (sw, sh) = (resized.width, resized.height)
            let input = Tensor(shape: [1, sh, sw, 3])
            resized.writeNormalized(Self.normalization, into: input.data)
            let (probabilities, offsets) = proposal(input)
            let (oh, ow) = (probabilities.shape[1], probabilities.shape[2])
            var found: [(box: Box, score: Float, offsets: [Float])] = []
            for y in 0..<oh {
                for x in 0..<ow {
                    let p = probabilities.data[(y * ow + x) * 2 + 1]
                    guard p >= thresholds.0 else { continue }
                    let box: Box = (((2 * Double(x) + 1) / scale).rounded(.down), ((2 * Double(y) + 1) / scale).rounded(.down),
                                    ((2 * Double(x) + 12) / scale).rounded(.down), ((2 * Double(y) + 12) / scale).rounded(.down))
                    found.append((box, p, (0..<4).map { offsets.data[(y * ow + x) * 4 + $0] }))
                }
            }
            let keep = nonMaximumSuppression(found.map(\.box), scores: found.map(\.score), threshold: 0.5, measure: .union)
            all += keep.map { found[$0] }
        }
        let keep = nonMaximumSuppression(all.map(\.box), scores: all.map(\.score), threshold: 0.7, measure: .union)
        return keep.map { all[$0] }
    }

    /// Applies the networks' box offsets (fractions of the box's width and height).
    private func regress(_ b: Box, _ o: [Float], plusOne: Bool) -> Box {
        let extra = plusOne ? 1.0 : 0.0
        let (w, h) = (b.x2 - b.x1 + extra, b.y2 - b.y1 + extra)
        return (b.x1 + Double(o[0]) * w, b.y1 + Double(o[1]) * h, b.x2 + Double(o[2]) * w, b.y2 + Double(o[3]) * h)
    }

    /// Each box grown to a square of its longer side around its centre.
    private func square(_ boxes: [Box]) -> [Box] {
        boxes.map { b in
            let (w, h) = (b.x2 - b.x1, b.y2 - b.y1)
            let l = max(w, h)
            let x1 = b.x1 + w / 2 - l / 2, y1 = b.y1 + h / 2 - l / 2
            return (x1, y1, x1 + l, y1 + l)
        }
    }

    /// The boxes' image regions (clipped to the image, 1-based inclusive as facenet-pytorch
    /// crops them), resized to size x size with area averaging, as one normalised batch. Each
    /// region is cut from the smallest pyramid level that still holds it at `size` pixels or
    /// more, so the cost does not grow with the face's size in the photo.
    private func cropBatch(_ rgb: Image, _ pyramid: Pyramid, _ boxes: [Box], size: Int) -> Tensor {
        let batch = Tensor(shape: [boxes.count, size, size, 3])
        for (i, b) in boxes.enumerated() {
            let x = max(Int(b.x1), 1), y = max(Int(b.y1), 1)
            let ex = min(Int(b.x2), rgb.width), ey = min(Int(b.y2), rgb.height)
            let destination = batch.data + i * size * size * 3
            let (cropW, cropH) = (ex - x + 1, ey - y + 1)
            guard cropW > 0, cropH > 0 else {
                destination.update(repeating: 0, count: size * size * 3)
                continue
            }
            let source = pyramid.level(for: Double(min(cropW, cropH)), size: size)?.image ?? rgb
            let sx = Double(source.width) / Double(rgb.width), sy = Double(source.height) / Double(rgb.height)
            let x0 = Int((Double(x - 1) * sx).rounded()), y0 = Int((Double(y - 1) * sy).rounded())
            let x1 = max(x0 + 1, Int((Double(ex) * sx).rounded())), y1 = max(y0 + 1, Int((Double(ey) * sy).rounded()))
            let crop = source.cropped(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
            if crop.width == 0 || crop.height == 0 {
                destination.update(repeating: 0, count: size * size * 3)
            } else {
                crop.resized(width: size, height: size, filter: .area).writeNormalized(Self.normalization, into: destination)
            }
        }
        return batch
    }

    private func run(_ rgb: Image, _ pyramid: Pyramid, _ boxes: [Box], size: Int,
                     _ network: (Tensor) -> (probabilities: Tensor, offsets: Tensor)) -> [(score: Float, offsets: [Float])] {
        guard !boxes.isEmpty else { return [] }
        let (probabilities, offsets) = network(cropBatch(rgb, pyramid, boxes, size: size))
        return (0..<boxes.count).map { i in (probabilities.data[i * 2 + 1], (0..<4).map { offsets.data[i * 4 + $0] }) }
    }
}
