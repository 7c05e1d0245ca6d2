import Foundation

/// One defect type of a segmentation model: its name and its colour, the colour its pixels
/// have in the training masks and in the coloured `AnomalyMask` the model answers with.
public struct SegmentationLabel: Codable, Sendable, Equatable {
    public var name: String
    /// "#RRGGBB", upper case.
    public var color: String

    public init(name: String, color: String) {
        self.name = name
        self.color = color
    }
}

/// The defect types a segmentation model learns (class 1, 2, ... in this order; class 0 is
/// the background), and how they are told apart in mask files: by colour (Lookout's
/// `internal-color-map`, or `--mask-colors FILE`), or white-on-black masks of one type.
public struct SegmentationLabels: Codable, Sendable, Equatable {
    public var labels: [SegmentationLabel]
    /// The background's colour in the mask files ("#000000" unless the colour map names a
    /// BACKGROUND class, as Lookout's does with "#FFFFFF").
    public var backgroundColor: String
    /// Masks are white (>= 128 grey) on black, one type ("anomaly"); `labels` then holds that
    /// type with Lookout's anomaly colour #FF0000 for the answers.
    public var whiteMasks: Bool

    public init(labels: [SegmentationLabel], backgroundColor: String = "#000000", whiteMasks: Bool = false) {
        self.labels = labels
        self.backgroundColor = backgroundColor
        self.whiteMasks = whiteMasks
    }

    /// White masks of one defect type.
    public static let white = SegmentationLabels(labels: [SegmentationLabel(name: "anomaly", color: "#FF0000")], whiteMasks: true)

    /// Classes including the background.
    public var classCount: Int { labels.count + 1 }

    /// Names by class index (0: "background").
    public var classNames: [String] { ["background"] + labels.map(\.name) }

    /// "#12AB34" from 0x12, 0xAB, 0x34.
    public static func hex(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> String { String(format: "#%02X%02X%02X", r, g, b) }

    /// (r, g, b) of "#RRGGBB" or "RRGGBB" (any case); nil when it is not one.
    public static func rgb(_ hex: String) -> (UInt8, UInt8, UInt8)? {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        return (UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }

    /// Labels from a colour map, in either of two forms:
    /// - Ground Truth's `internal-color-map`: `{"0": {"class-name": "BACKGROUND", "hex-color":
    ///   "#ffffff"}, "1": {"class-name": "cracked", "hex-color": "#23A436"}}` (a class named
    ///   background, any case, gives the background colour; the others are the types, in key order);
    /// - names to colours: `{"cracked": "#23A436", "scratch": "#FF0000"}` (in name order).
    /// `place` names the file or manifest line in errors.
    public static func fromColorMap(_ object: Any, at place: String) throws(InspectionError) -> SegmentationLabels {
        guard let map = object as? [String: Any], !map.isEmpty else {
            throw InspectionError(place, "the colour map must be a non-empty JSON object")
        }
        var entries: [(key: String, name: String, color: String)] = []
        for (key, value) in map {
            if let color = value as? String {
                entries.append((key, key, color))
            } else if let entry = value as? [String: Any] {
                guard let name = entry["class-name"] as? String, let color = entry["hex-color"] as? String else {
                    throw InspectionError(place, "colour map entry \"\(key)\" needs \"class-name\" and \"hex-color\"")
                }
                entries.append((key, name, color))
            } else {
                throw InspectionError(place, "colour map entry \"\(key)\" must be a colour \"#RRGGBB\" or {\"class-name\", \"hex-color\"}")
            }
        }
        // Numeric keys in numeric order, names in name order.
        entries.sort { a, b in
            if let x = Int(a.key), let y = Int(b.key) { return x < y }
            return a.key < b.key
        }
        var background = "#000000", labels: [SegmentationLabel] = []
        for entry in entries {
            guard let c = rgb(entry.color) else {
                throw InspectionError(place, "colour map entry \"\(entry.key)\": \"\(entry.color)\" is not a colour #RRGGBB")
            }
            let color = hex(c.0, c.1, c.2)
            if entry.name.lowercased() == "background" {
                background = color
                continue
            }
            if let same = labels.first(where: { $0.color == color }) {
                throw InspectionError(place, "\"\(entry.name)\" and \"\(same.name)\" have the same colour \(color)")
            }
            if labels.contains(where: { $0.name == entry.name }) {
                throw InspectionError(place, "the class \"\(entry.name)\" is listed twice")
            }
            labels.append(SegmentationLabel(name: entry.name, color: color))
        }
        guard !labels.isEmpty else { throw InspectionError(place, "the colour map names no defect class (only the background)") }
        guard labels.allSatisfy({ $0.color != background }) else {
            throw InspectionError(place, "a defect class has the background's colour \(background)")
        }
        return SegmentationLabels(labels: labels, backgroundColor: background)
    }

    /// Labels from a `--mask-colors FILE` (JSON, either form of `fromColorMap`).
    public static func fromFile(_ path: String) throws(InspectionError) -> SegmentationLabels {
        guard let data = FileManager.default.contents(atPath: path) else { throw InspectionError(path, "cannot read the colour map") }
        guard let object = try? JSONSerialization.jsonObject(with: data) else { throw InspectionError(path, "not valid JSON") }
        return try fromColorMap(object, at: path)
    }

    /// The labels of several manifest lines merged: the same class keeps one colour, and two
    /// lines cannot give one colour to different classes.
    public func merged(with other: SegmentationLabels, at place: String) throws(InspectionError) -> SegmentationLabels {
        guard other.backgroundColor == backgroundColor else {
            throw InspectionError(place, "background colour \(other.backgroundColor) differs from \(backgroundColor) on earlier lines")
        }
        var result = self
        for label in other.labels {
            if let known = result.labels.first(where: { $0.name == label.name }) {
                guard known.color == label.color else {
                    throw InspectionError(place, "\"\(label.name)\" is \(label.color) here but \(known.color) on earlier lines")
                }
            } else if let clash = result.labels.first(where: { $0.color == label.color }) {
                throw InspectionError(place, "\"\(label.name)\" has colour \(label.color), which earlier lines give to \"\(clash.name)\"")
            } else {
                result.labels.append(label)
            }
        }
        return result
    }
}
