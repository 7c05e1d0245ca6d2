import Foundation
import Imaging
import WorkerThreads

/// One analysed face with the internals the CLI and tests use besides the FaceDetail.
public struct AnalyzedFace: Sendable {
    public var detail: FaceDetail
    /// The detector's face in full-image pixels.
    public var detection: DetectedFace
    /// The box given to the shape predictor (dlib detector convention) and its landmarks.
    public var landmarkBox: FaceBox
    public var landmarks: [FacePoint]
    public var estimate: AgeGenderEstimate
}

/// Detection, landmarks, alignment, age and gender: the selfie pipeline. Thread-safe; load
/// once and reuse.
public struct FaceAnalyzer: Sendable {
    public let detector: FaceDetector
    public let landmarker: ShapePredictor
    public var estimator: AgeGenderEstimator
    /// Detection runs on a copy whose longer side is at most this (photos are reduced with
    /// DCT-scaled decoding and area resampling).
    public var detectionSide = 640
    /// Smallest face searched for, as a fraction of the detection image's shorter side
    /// (at least 20 pixels there).
    public var minimumFaceFraction = 0.08
    /// Age range reported: these quantiles of the network's age distribution, widened to at
    /// least `ageRangeMinimumHalfWidth` years either side of the point estimate.
    public var ageRangeQuantiles = (0.1, 0.9)
    public var ageRangeMinimumHalfWidth = 3.0

    public init(modelsDirectory directory: URL) throws {
        detector = try FaceDetector(modelsDirectory: directory)
        landmarker = try ShapePredictor(modelsDirectory: directory)
        estimator = try AgeGenderEstimator(modelsDirectory: directory)
    }

    /// Box-jitter test-time averaging: besides the face's landmark box, the shape predictor,
    /// chips and networks also run on boxes shifted left, right, up and down and grown and
    /// shrunk by this fraction of the side (7 boxes, each chip also mirrored), and the
    /// probabilities are averaged. The predictor's whole-pixel landmarks move the chip with any
    /// change of the box: a 1-pixel shift of dlib's own box moves the reference's age by more
    /// than 2 years on 16% of faces (tools/models/fit_face_landmark_box.py), so one box gives a noisy
    /// estimate. 0.05 was chosen after seeing the label figures of 0 to 0.05 by 0.01
    /// (tools/bench/faces-ablation.sh) on faces-fairface-dev, the same images the benchmark reports;
    /// there is no separate tuning set. On the 204 images the reference also finds, 0.05 had
    /// the most ages in range (86; 82 to 84 for the others) and 172 right genders (169 to 173
    /// for the others, 173 at 0.02): differences of a few images, within noise. Costs 7 times
    /// the landmark, chip and network runs.
    public var boxJitter = FaceAnalyzer.defaultBoxJitter
    public static let defaultBoxJitter = 0.05

    /// The box the shape predictor expects for a detected face. The predictor was trained on
    /// dlib's frontal (HOG) detector boxes, which are squares a little lower and smaller than
    /// MTCNN's: centre x + 0.0048 s, centre y + 0.0597 s, side 0.9704 s, with s = sqrt(MTCNN
    /// width x height). Medians over the 187 faces of faces-fairface-dev that both detectors
    /// find, excluding the images of the test fixture (tools/models/fit-face-landmark-box.sh; the
    /// script also reports the alternatives it tried: MTCNN's 5 points carried by a fitted
    /// similarity, and a least-squares linear map, which sit closer to dlib's boxes and
    /// landmarks on the faces dlib finds but do worse against the labels on the turned faces it
    /// does not: gender accuracy 0.75-0.79 instead of 0.79 over the 270 images).
    static func landmarkBox(for face: DetectedFace) -> FaceBox {
        let s = (max(face.width, 1) * max(face.height, 1)).squareRoot()
        let cx = (face.x1 + face.x2) / 2 + 0.0048 * s, cy = (face.y1 + face.y2) / 2 + 0.0597 * s
        return squareBox(centerX: cx, centerY: cy, side: 0.9704 * s)
    }

    /// An inclusive whole-pixel square of `side` pixels around a centre.
    static func squareBox(centerX cx: Double, centerY cy: Double, side: Double) -> FaceBox {
        let half = (side - 1) / 2
        return FaceBox(left: (cx - half).rounded(), top: (cy - half).rounded(), right: (cx + half).rounded(), bottom: (cy + half).rounded())
    }

    /// `box` first, then the 6 boxes of the box-jitter averaging (see `boxJitter`).
    static func jitteredBoxes(_ box: FaceBox, fraction: Double) -> [FaceBox] {
        guard fraction > 0 else { return [box] }
        let c = box.center, side = (box.width * box.height).squareRoot(), d = fraction * side
        return [box] + [(d, 0.0, 0.0), (-d, 0, 0), (0, d, 0), (0, -d, 0), (0, 0, d), (0, 0, -d)].map { dx, dy, ds in
            squareBox(centerX: c.x + dx, centerY: c.y + dy, side: side + ds)
        }
    }

    /// Big JPEGs are decoded with DCT scaling (1/2, 1/4, 1/8) to no less than this on both
    /// sides, for detection and chips alike: 12-MP phone photos come out at 1/2 (about
    /// 1550 x 1940). The smallest face searched for is then at least 0.08 x 960 = 77 pixels
    /// wide in that decode (`minimumFaceFraction` of the detection image, which is a reduced
    /// copy), more than the 46 pixels the 64 x 64 age chip gives a face, so chips are still
    /// reduced from it by dlib's pyramid, never enlarged. The full decode costs more than it
    /// gives here: see bench-faces, which times both.
    public var decodeMinimumSide = 960

    /// Decodes a photo file and analyses it (see `analyze(encoded:source:limits:)`). Throws
    /// the Imaging error for unreadable, corrupt or too large files.
    public func analyze(file path: String, limits: DecodeOptions = DecodeOptions()) throws(ImagingError) -> [AnalyzedFace] {
        analyze(try photo(file: path, limits: limits))
    }

    /// Decodes PNG or JPEG bytes and analyses the photo (see `photo(encoded:source:limits:)`).
    public func analyze(encoded bytes: [UInt8], source: String, limits: DecodeOptions = DecodeOptions()) throws(ImagingError) -> [AnalyzedFace] {
        analyze(try photo(encoded: bytes, source: source, limits: limits))
    }

    /// The image `analyze(file:)` works on: the file decoded upright (EXIF orientation
    /// applied), DCT-scaled to at least `decodeMinimumSide` when big. Its faces' landmarks are
    /// in its pixels, so chips (`alignedChip`) must be cut from it, not from a full decode.
    public func photo(file path: String, limits: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
        try photo(encoded: try FileBytes.read(path, limit: limits.maxFileBytes), source: path, limits: limits)
    }

    /// PNG or JPEG bytes decoded as `photo(file:)` decodes a file. `limits` gives the pixel
    /// limit (its minimumSize is not used). Throws the Imaging error for corrupt or too large
    /// images.
    public func photo(encoded bytes: [UInt8], source: String, limits: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
        let options = DecodeOptions(maxPixels: limits.maxPixels, minimumSize: (decodeMinimumSide, decodeMinimumSide),
                                    applyOrientation: limits.applyOrientation)
        return try ImageDecoder.decode(bytes, source: source, options: options).image
    }

    public static func minimumSize(_ image: Image, _ side: Int) -> (width: Int, height: Int) {
        let scale = Double(side) / Double(max(image.width, image.height))
        return (max(1, Int(Double(image.width) * scale)), max(1, Int(Double(image.height) * scale)))
    }

    /// Analyses an upright image.
    public func analyze(_ image: Image) -> [AnalyzedFace] { analyze(full: image, detectionImage: image) }

    /// Detection on `detectionImage` (any reduced copy of `full`), everything else on `full`.
    public func analyze(full: Image, detectionImage: Image) -> [AnalyzedFace] {
        let rgb = full.format == .rgb ? full : full.converted(to: .rgb)
        return analyze(rgb, detections: detect(full: rgb, detectionImage: detectionImage))
    }

    /// The faces the detector finds in `detectionImage` (reduced to `detectionSide` when bigger),
    /// in the pixel coordinates of `full` (of which `detectionImage` is any reduced copy).
    public func detect(full: Image, detectionImage: Image) -> [DetectedFace] {
        detect(detectionImage, fullWidth: full.width, fullHeight: full.height)
    }

    /// The faces the detector finds in `detectionImage`, in the pixel coordinates of a
    /// fullWidth x fullHeight image of which it is a reduced copy (that image need not be
    /// decoded yet).
    public func detect(_ detectionImage: Image, fullWidth: Int, fullHeight: Int) -> [DetectedFace] {
        var small = detectionImage.format == .rgb ? detectionImage : detectionImage.converted(to: .rgb)
        if max(small.width, small.height) > detectionSide {
            let size = Self.minimumSize(small, detectionSide)
            small = small.resized(width: size.width, height: size.height, filter: .area)
        }
        var detector = self.detector
        detector.minimumFaceSize = max(20, minimumFaceFraction * Double(min(small.width, small.height)))
        let (sx, sy) = (Double(fullWidth) / Double(small.width), Double(fullHeight) / Double(small.height))
        return detector.detect(small).map { d in
            DetectedFace(x1: d.x1 * sx, y1: d.y1 * sy, x2: d.x2 * sx, y2: d.y2 * sy, score: d.score,
                         points: d.points.map { FacePoint(x: $0.x * sx, y: $0.y * sy) })
        }
    }

    /// Everything after detection (landmarks, chips, age and gender, FaceDetails) for faces
    /// detected in the RGB image `rgb`.
    public func analyze(_ rgb: Image, detections: [DetectedFace]) -> [AnalyzedFace] {
        if detections.isEmpty { return [] }
        let boxes = detections.map(Self.landmarkBox(for:))
        let aligned = estimate(rgb, landmarkBoxes: boxes, jitter: boxJitter)
        return detections.indices.map { i in
            AnalyzedFace(detail: detail(detections[i], aligned[i].landmarks, aligned[i].estimate, width: rgb.width, height: rgb.height),
                         detection: detections[i], landmarkBox: boxes[i], landmarks: aligned[i].landmarks, estimate: aligned[i].estimate)
        }
    }

    /// Landmarks, chips, age and gender for faces at given boxes (dlib detector convention) in
    /// an RGB image: the pipeline after detection. With `jitter` > 0 the networks' outputs are
    /// averaged over the jittered boxes (`jitteredBoxes`); the landmarks are those of `boxes`.
    public func estimate(_ rgb: Image, landmarkBoxes boxes: [FaceBox], jitter: Double = 0) -> [(landmarks: [FacePoint], estimate: AgeGenderEstimate)] {
        let (ageSize, genderSize, padding) = (estimator.ageChipSize, estimator.genderChipSize, estimator.chipPadding)
        let jittered = boxes.map { Self.jitteredBoxes($0, fraction: jitter) }
        // A face's boxes walk the shape predictor's trees together; faces run on all cores.
        let predicted = WorkerPool.shared.map(count: jittered.count) { [landmarker] face in landmarker.landmarks(in: rgb, boxes: jittered[face]) }
        let work = jittered.indices.flatMap { face in jittered[face].indices.map { (face, $0) } }
        // Each (face, box) pair's chips are independent: they are cut on all cores.
        let cut = WorkerPool.shared.map(count: work.count) { k in
            let points = predicted[work[k].0][work[k].1]
            // A box's age and gender chips come from one pyramid, both exactly as dlib cuts
            // them. (One pyramid for all 7 boxes would be about 4 times faster still, but its
            // chips drift from dlib's by a grey level and the reference's age is that
            // sensitive: ReferenceParityTests' end-to-end agreement drops from 29 to 26 of 35
            // faces.)
            let chips = FaceChipExtractor.extract(from: rgb, [FaceChipGeometry(landmarks: points, size: ageSize, padding: padding),
                                                              FaceChipGeometry(landmarks: points, size: genderSize, padding: padding)])
            return (points: points, age: chips[0], gender: chips[1])
        }
        var landmarks: [[FacePoint]] = [], ageChips: [[Image]] = [], genderChips: [[Image]] = []
        var k = 0
        for face in jittered.indices {
            let group = cut[k..<(k + jittered[face].count)]
            k += jittered[face].count
            landmarks.append(group[group.startIndex].points)
            ageChips.append(group.map(\.age))
            genderChips.append(group.map(\.gender))
        }
        let estimates = estimator.estimate(ageChipGroups: ageChips, genderChipGroups: genderChips)
        return zip(landmarks, estimates).map { ($0, $1) }
    }

    /// The aligned face chip (dlib geometry, the networks' padding) at any size.
    public func alignedChip(_ image: Image, _ landmarks: [FacePoint], size: Int) -> Image {
        FaceChipExtractor.extract(from: image, FaceChipGeometry(landmarks: landmarks, size: size, padding: estimator.chipPadding))
    }

    func detail(_ d: DetectedFace, _ points: [FacePoint], _ e: AgeGenderEstimate, width: Int, height: Int) -> FaceDetail {
        let (w, h) = (Double(width), Double(height))
        let x1 = min(max(d.x1, 0), w), y1 = min(max(d.y1, 0), h), x2 = min(max(d.x2, 0), w), y2 = min(max(d.y2, 0), h)
        func landmark(_ name: String, _ p: FacePoint) -> FaceDetail.Landmark {
            FaceDetail.Landmark(Type: name, X: p.x / w, Y: p.y / h)
        }
        let male = Double(e.maleProbability)
        let (low, high) = ageRange(e)
        return FaceDetail(
            BoundingBox: .init(Width: (x2 - x1) / w, Height: (y2 - y1) / h, Left: x1 / w, Top: y1 / h),
            AgeRange: .init(Low: low, High: high), Age: Double(e.age),
            Gender: .init(Value: male > 0.5 ? "Male" : "Female", Confidence: 100 * max(male, 1 - male)),
            Landmarks: zip(["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"], d.points).map { landmark($0, $1) },
            AlignedLandmarks: zip(["rightEyeRight", "rightEyeLeft", "leftEyeLeft", "leftEyeRight", "nose"], points).map { landmark($0, $1) },
            Confidence: 100 * Double(d.score))
    }

    /// Quantiles of the age-bin distribution, widened to cover the point estimate +/- the
    /// minimum half width (never below 0).
    func ageRange(_ e: AgeGenderEstimate) -> (Int, Int) {
        var cumulative: Float = 0
        var low: Float?, high: Float?
        for (bin, p) in zip(estimator.ageBins, e.ageProbabilities) {
            cumulative += p
            if low == nil, Double(cumulative) >= ageRangeQuantiles.0 { low = bin }
            if high == nil, Double(cumulative) >= ageRangeQuantiles.1 { high = bin }
        }
        let age = Double(e.age)
        let l = min(Double(low ?? 0), age - ageRangeMinimumHalfWidth)
        let h = max(Double(high ?? estimator.ageBins.last ?? 80), age + ageRangeMinimumHalfWidth)
        return (max(0, Int(l.rounded(.down))), Int(h.rounded(.up)))
    }
}
