import Foundation
import Imaging

/// One photo's verdict in the shape of Lookout for Vision's DetectAnomalies result (DESIGN.md),
/// plus our Score and Threshold: the JSON of `inspect score --format jsonl` (with Path) and
/// of the server's detect route (without).
public struct DetectAnomaliesResult: Codable, Sendable, Equatable {
    public struct Source: Codable, Sendable, Equatable { public var `Type` = "direct" }
    public struct PixelAnomaly: Codable, Sendable, Equatable {
        public var TotalPercentageArea: Double
        public var Color: String?
    }
    public struct Anomaly: Codable, Sendable, Equatable {
        public var Name: String
        public var PixelAnomaly: PixelAnomaly
    }
    public var Path: String?
    public var Source = Source()
    public var IsAnomalous: Bool
    public var Confidence: Double
    public var Score: Double
    public var Threshold: Double
    /// The mask at the photo's size, as a base64 PNG: red where anomalous, or, for a model
    /// trained with masks, each defect type in its colour; black elsewhere.
    public var AnomalyMask: String?
    public var Anomalies: [Anomaly]
    /// Why the marked area is what it is, when that needs saying (an anomalous verdict whose
    /// map reached nowhere near the mask cut-off: its strongest response is marked).
    public var AreaNote: String?

    /// `mask`: the PNG of `maskPNG`, when asked for. Confidence is rounded to 4 decimals and
    /// the area shares to 3, as Lookout reports them.
    public init(_ r: InspectionResult, path: String? = nil, mask: [UInt8]? = nil) {
        Path = path
        IsAnomalous = r.isAnomalous
        Confidence = (r.confidence * 10000).rounded() / 10000
        Score = Double(r.score)
        Threshold = Double(r.threshold)
        AnomalyMask = mask.map { Data($0).base64EncodedString() }
        AreaNote = r.areaNote
        func rounded(_ share: Double) -> Double { (share * 1000).rounded() / 1000 }
        if let segmentation = r.markedSegmentation {
            // A segmentation model's shape: the background, then every defect type it knows.
            let areas = segmentation.areas
            Anomalies = [Anomaly(Name: "background", PixelAnomaly: .init(TotalPercentageArea: rounded(areas.first ?? 1)))]
                + segmentation.labels.labels.enumerated().map { c, label in
                    Anomaly(Name: label.name, PixelAnomaly: .init(TotalPercentageArea: rounded(c + 1 < areas.count ? areas[c + 1] : 0),
                                                                  Color: label.color))
                }
            return
        }
        let area = rounded(r.anomalousArea)
        Anomalies = [Anomaly(Name: "background", PixelAnomaly: .init(TotalPercentageArea: rounded(1 - area))),
                     Anomaly(Name: "anomaly", PixelAnomaly: .init(TotalPercentageArea: area, Color: "#FF0000"))]
    }
}

extension InspectionResult {
    /// The anomaly mask at `size` (the photo's own size, as in the JSON): the map upsampled,
    /// cut at `maskCutOff`; for a model trained with masks, the segmentation's types coloured.
    public func maskImage(size: InputSize) -> Image {
        if let segmentation = markedSegmentation { return segmentation.maskImage(size: size) }
        return map.resized(width: size.width, height: size.height).maskImage(threshold: maskCutOff)
    }

    /// The photo with the heat map blended in (`AnomalyMap.overlay`), or, for a model trained
    /// with masks, with each marked pixel tinted in its defect type's colour.
    public func overlay(on photo: Image) -> Image {
        if let segmentation = markedSegmentation { return segmentation.overlay(on: photo) }
        return map.overlay(on: photo, threshold: mapThreshold)
    }

    /// `maskImage` as PNG bytes.
    public func maskPNG(size: InputSize) throws(ImagingError) -> [UInt8] {
        try ImageEncoder.png(maskImage(size: size))
    }
}
