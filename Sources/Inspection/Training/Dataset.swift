import Foundation
import Imaging

/// One labelled image: its path, whether it shows a defect, and optionally a ground-truth
/// mask (white = defect) of the same scene.
public struct LabeledImage: Sendable, Equatable {
    public var path: String
    public var isAnomalous: Bool
    public var maskPath: String?

    public init(path: String, isAnomalous: Bool, maskPath: String? = nil) {
        self.path = path
        self.isAnomalous = isAnomalous
        self.maskPath = maskPath
    }
}

/// A labelled image set, read from good/bad folders or from a Lookout for Vision manifest.
public struct InspectionDataset: Sendable {
    public var images: [LabeledImage]
    /// How the masks tell defect types apart: the manifest's colour map, `--mask-colors`, or
    /// nil for white-on-black masks of one type.
    public var maskLabels: SegmentationLabels?

    public init(images: [LabeledImage], maskLabels: SegmentationLabels? = nil) {
        self.images = images
        self.maskLabels = maskLabels
    }

    /// Whether any anomalous image has a mask.
    public var hasMasks: Bool { images.contains { $0.isAnomalous && $0.maskPath != nil } }

    public var goodCount: Int { images.count { !$0.isAnomalous } }
    public var anomalousCount: Int { images.count { $0.isAnomalous } }

    /// Images of the folders (searched recursively, natural file order). `bad` may be nil
    /// (good images only). Masks, when a folder is given, belong to the anomalous images and
    /// are matched by file stem ("12.png" takes "12.png", "12.jpg" or "12_mask.png" from the
    /// mask folder); good images have no defect, so no mask.
    public static func folders(good: String, bad: String?, masks: String? = nil) throws(InspectionError) -> InspectionDataset {
        let goodPaths = try imagesIn(good)
        let badPaths = try bad.map { (b) throws(InspectionError) -> [String] in try imagesIn(b) } ?? []
        let maskIndex = try masks.map { (m) throws(InspectionError) -> [String: String] in try indexByStem(imagesIn(m)) } ?? [:]
        func mask(_ path: String) -> String? {
            let stem = fileStem(path)
            return maskIndex[stem] ?? maskIndex[stem + "_mask"]
        }
        return InspectionDataset(images: goodPaths.map { LabeledImage(path: $0, isAnomalous: false) }
                                        + badPaths.map { LabeledImage(path: $0, isAnomalous: true, maskPath: mask($0)) })
    }

    /// The image files under a folder (or the file itself), or an error naming the folder.
    public static func imagesIn(_ path: String) throws(InspectionError) -> [String] {
        let scan = ImageFileScanner.scan([path])
        if let problem = scan.problems.first { throw InspectionError(problem.path, problem.reason) }
        guard !scan.images.isEmpty else { throw InspectionError(path, "no image files found (PNG or JPEG expected)") }
        return scan.images
    }

    /// Reads a Lookout for Vision / SageMaker Ground Truth JSON-lines manifest: one JSON
    /// object per line with `source-ref` (the image), `anomaly-label` (0 normal, 1 anomalous)
    /// and optionally `anomaly-mask-ref` (a mask PNG) with its colour map
    /// `anomaly-mask-ref-metadata.internal-color-map` (the colour of each defect type; the
    /// lines' maps are merged). `s3://` references are refused; relative paths resolve
    /// against the manifest's folder.
    public static func manifest(_ path: String) throws(InspectionError) -> InspectionDataset {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InspectionError(path, "cannot read the manifest")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var images: [LabeledImage] = []
        var maskLabels: SegmentationLabels?
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let place = "\(path) line \(index + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw InspectionError(place, "not a JSON object")
            }
            guard let source = object["source-ref"] as? String else { throw InspectionError(place, "missing \"source-ref\"") }
            let label: Bool
            switch object["anomaly-label"] {
            case let n as NSNumber where n.intValue == 0 || n.intValue == 1: label = n.intValue == 1
            case let s as String where s == "0" || s == "1": label = s == "1"
            default: throw InspectionError(place, "\"anomaly-label\" must be 0 (normal) or 1 (anomalous)")
            }
            let mask = object["anomaly-mask-ref"] as? String
            if let metadata = object["anomaly-mask-ref-metadata"] as? [String: Any], let map = metadata["internal-color-map"] {
                let lineLabels = try SegmentationLabels.fromColorMap(map, at: place)
                maskLabels = try maskLabels.map { (known) throws(InspectionError) in try known.merged(with: lineLabels, at: place) } ?? lineLabels
            }
            images.append(LabeledImage(path: try resolve(source, against: folder, at: place), isAnomalous: label,
                                       maskPath: try mask.map { (m) throws(InspectionError) -> String in try resolve(m, against: folder, at: place) }))
        }
        guard !images.isEmpty else { throw InspectionError(path, "the manifest lists no images") }
        return InspectionDataset(images: images, maskLabels: maskLabels)
    }

    private static func resolve(_ reference: String, against folder: URL, at place: String) throws(InspectionError) -> String {
        if reference.hasPrefix("s3://") {
            throw InspectionError(place, "\(reference) is an S3 reference; copy the images locally and use paths relative to the manifest")
        }
        if reference.hasPrefix("file://") { return URL(string: reference)?.path ?? reference }
        if reference.hasPrefix("/") { return reference }
        return folder.appendingPathComponent(reference).standardized.path
    }

    private static func indexByStem(_ paths: [String]) -> [String: String] {
        var index: [String: String] = [:]
        for path in paths { index[fileStem(path)] = path }
        return index
    }
}

func fileStem(_ path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
}
