import Foundation

/// Inline SVG charts for the HTML reports (no script, no library): line charts (ROC,
/// precision-recall, a figure per time window), overlaid histograms with a marked value,
/// and grouped bars. One implementation for every report.
public enum SVGChart {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var colour: String
        public init(name: String, points: [(x: Double, y: Double)], colour: String) {
            self.name = name
            self.points = points
            self.colour = colour
        }
    }

    /// Colours of the reports: good (blue), anomalous (red), a third series (grey).
    public static let good = "#2563eb", anomalous = "#dc2626", other = "#6b7280"

    static let width = 440.0, height = 300.0
    static let left = 52.0, right = 14.0, top = 28.0, bottom = 42.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// Lines through each series' points. `diagonal` draws the chance line of a ROC curve.
    public static func lines(title: String, _ series: [Series], xLabel: String, yLabel: String,
                             xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, diagonal: Bool = false,
                             markers: Bool = false) -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = xRange ?? padded(all.map(\.x)), ys = yRange ?? padded(all.map(\.y))
        var svg = frame(title: title, xLabel: xLabel, yLabel: yLabel, xRange: xs, yRange: ys)
        if diagonal {
            svg += line(x(xs.lowerBound, xs), y(ys.lowerBound, ys), x(xs.upperBound, xs), y(ys.upperBound, ys), colour: "#bbb", dash: true)
        }
        for s in series {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !points.isEmpty else { continue }
            let path = points.map { String(format: "%.1f,%.1f", x($0.x, xs), y($0.y, ys)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\" points=\"\(path)\"/>"
            if markers || points.count == 1 {
                for p in points { svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", x(p.x, xs), y(p.y, ys), s.colour) }
            }
        }
        return svg + legend(series.map { ($0.name, $0.colour) }) + "</svg>"
    }

    /// Histograms of each group over the same bins (the groups' joint range), overlaid with
    /// some transparency, and a vertical line at `marker` (e.g. the threshold).
    public static func histogram(title: String, _ groups: [(name: String, values: [Double], colour: String)], bins: Int = 24,
                                 marker: (value: Double, label: String)? = nil, xLabel: String) -> String {
        let values = groups.flatMap(\.values).filter(\.isFinite)
        var lowest = values.min() ?? 0, highest = values.max() ?? 1
        if let m = marker?.value, m.isFinite { lowest = min(lowest, m); highest = max(highest, m) }
        if highest <= lowest { highest = lowest + 1 }
        let span = highest - lowest, binWidth = span / Double(bins)
        let counts = groups.map { g -> [Int] in
            var c = [Int](repeating: 0, count: bins)
            for v in g.values where v.isFinite { c[min(bins - 1, max(0, Int((v - lowest) / binWidth)))] += 1 }
            return c
        }
        let maxCount = Double(counts.flatMap { $0 }.max() ?? 1)
        let xs = lowest...highest, ys = 0...max(1, maxCount)
        var svg = frame(title: title, xLabel: xLabel, yLabel: "photos", xRange: xs, yRange: ys)
        for (g, group) in groups.enumerated() {
            for b in 0..<bins where counts[g][b] > 0 {
                let x0 = x(lowest + Double(b) * binWidth, xs), x1 = x(lowest + Double(b + 1) * binWidth, xs)
                let y0 = y(Double(counts[g][b]), ys)
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" fill-opacity=\"0.45\" stroke=\"%@\" stroke-width=\"0.8\"/>",
                              x0, y0, max(0.5, x1 - x0), y(0, ys) - y0, group.colour, group.colour)
            }
        }
        if let marker, marker.value.isFinite {
            let mx = x(marker.value, xs)
            svg += line(mx, top, mx, top + plotHeight, colour: "#111", dash: true)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", mx, top - 4, escapeHTML(marker.label))
        }
        return svg + legend(groups.map { ($0.name, $0.colour) }) + "</svg>"
    }

    /// Bars per category, one per series side by side (e.g. the baseline's and the current
    /// share of each PSI bin).
    public static func bars(title: String, categories: [String], _ series: [(name: String, values: [Double], colour: String)],
                            yLabel: String) -> String {
        let maxValue = max(series.flatMap(\.values).filter(\.isFinite).max() ?? 1, 1e-9)
        let ys = 0...(maxValue * 1.1)
        var svg = frame(title: title, xLabel: "", yLabel: yLabel, xRange: 0...Double(max(1, categories.count)), yRange: ys, xTicks: false)
        let slot = plotWidth / Double(max(1, categories.count)), barWidth = slot * 0.8 / Double(max(1, series.count))
        for (c, category) in categories.enumerated() {
            for (s, entry) in series.enumerated() where c < entry.values.count && entry.values[c].isFinite {
                let x0 = left + Double(c) * slot + slot * 0.1 + Double(s) * barWidth, y0 = y(entry.values[c], ys)
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>",
                              x0, y0, barWidth, y(0, ys) - y0, entry.colour)
            }
            if categories.count <= 14 {
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%@</text>",
                              left + (Double(c) + 0.5) * slot, top + plotHeight + 12, escapeHTML(category))
            }
        }
        return svg + legend(series.map { ($0.name, $0.colour) }) + "</svg>"
    }

    // MARK: - Drawing

    static func padded(_ values: [Double]) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        if high <= low { return (low - 1)...(high + 1) }
        let pad = (high - low) * 0.04
        return (low - pad)...(high + pad)
    }

    static func x(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        left + (value - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12) * plotWidth
    }

    static func y(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        top + plotHeight - (value - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12) * plotHeight
    }

    static func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, colour: String, dash: Bool = false) -> String {
        String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"1.2\"%@/>",
               x0, y0, x1, y1, colour, dash ? " stroke-dasharray=\"4 3\"" : "")
    }

    /// The SVG element, title, axes with 5 ticks each and their labels.
    static func frame(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                      xTicks: Bool = true) -> String {
        var svg = String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">",
                         width, height, width, height)
        svg += "<title>\(escapeHTML(title))</title>"
        svg += String(format: "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>", width, height)
        svg += String(format: "<text x=\"%.1f\" y=\"16\" font-weight=\"600\" font-size=\"12\">%@</text>", left, escapeHTML(title))
        svg += line(left, top + plotHeight, left + plotWidth, top + plotHeight, colour: "#444")
        svg += line(left, top, left, top + plotHeight, colour: "#444")
        for i in 0...4 {
            let f = Double(i) / 4
            let yv = yRange.lowerBound + f * (yRange.upperBound - yRange.lowerBound), yp = y(yv, yRange)
            svg += line(left - 3, yp, left, yp, colour: "#444")
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", left - 5, yp + 3, tick(yv))
            if xTicks {
                let xv = xRange.lowerBound + f * (xRange.upperBound - xRange.lowerBound), xp = x(xv, xRange)
                svg += line(xp, top + plotHeight, xp, top + plotHeight + 3, colour: "#444")
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", xp, top + plotHeight + 14, tick(xv))
            }
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", left + plotWidth / 2, height - 6, escapeHTML(xLabel))
        svg += String(format: "<text transform=\"translate(12 %.1f) rotate(-90)\" text-anchor=\"middle\">%@</text>", top + plotHeight / 2,
                      escapeHTML(yLabel))
        return svg
    }

    static func legend(_ entries: [(String, String)]) -> String {
        var svg = "", xPos = left + plotWidth
        for (name, colour) in entries.reversed() {
            let w = Double(name.count) * 6 + 22
            xPos -= w
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%@\"/>", xPos, top + 4, colour)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>", xPos + 14, top + 13, escapeHTML(name))
        }
        return svg
    }

    static func tick(_ value: Double) -> String {
        let a = abs(value)
        if a == 0 { return "0" }
        if a >= 10000 || a < 0.01 { return String(format: "%.2g", value) }
        if a >= 100 { return String(format: "%.0f", value) }
        if a >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }
}
