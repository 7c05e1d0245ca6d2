import Foundation

/// A self-contained HTML page (inline CSS, no script) built section by section: the
/// training and evaluation report and the monitoring report share it with `SVGChart`.
public struct HTMLPage: Sendable {
    public var title: String
    private var parts: [String] = []

    public init(title: String) { self.title = title }

    public mutating func heading(_ text: String, level: Int = 2) {
        parts.append("<h\(level)>\(escapeHTML(text))</h\(level)>")
    }

    public mutating func paragraph(_ text: String, className: String? = nil) {
        let attribute = className.map { " class=\"" + $0 + "\"" } ?? ""
        parts.append("<p" + attribute + ">" + escapeHTML(text) + "</p>")
    }

    /// A table; `header` and every row are escaped text. Rows with a cell starting "!" are
    /// shown as warnings (the "!" is dropped).
    public mutating func table(header: [String], rows: [[String]], numericColumns: Set<Int> = []) {
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            let numeric = numericColumns.contains(column) ? " class=\"num\"" : ""
            return "<\(tag)\(numeric)>\(escapeHTML(text))</\(tag)>"
        }
        var html = "<table><thead><tr>" + header.enumerated().map { cell("th", $0.element, $0.offset) }.joined() + "</tr></thead><tbody>"
        for row in rows {
            let warn = row.contains { $0.hasPrefix("!") }
            html += (warn ? "<tr class=\"warn\">" : "<tr>")
                + row.enumerated().map { cell("td", $0.element.hasPrefix("!") ? String($0.element.dropFirst()) : $0.element, $0.offset) }.joined()
                + "</tr>"
        }
        parts.append(html + "</tbody></table>")
    }

    /// Figures side by side (SVG charts or other markup made by this module).
    public mutating func figures(_ markup: [String]) {
        parts.append("<div class=\"figures\">" + markup.map { "<figure>\($0)</figure>" }.joined() + "</div>")
    }

    /// Images with captions: `pngBase64` is a PNG's base64 text.
    public mutating func thumbnails(_ items: [(caption: String, pngBase64: String)]) {
        guard !items.isEmpty else { return }
        parts.append("<div class=\"thumbs\">" + items.map {
            "<figure><img alt=\"\(escapeHTML($0.caption))\" src=\"data:image/png;base64,\($0.pngBase64)\"><figcaption>\(escapeHTML($0.caption))</figcaption></figure>"
        }.joined() + "</div>")
    }

    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title))</title>
        <style>
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2430}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
        table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #e6e9ef;text-align:left}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tr.warn td{background:#fdecea;color:#8a1c12}
        .figures{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}.thumbs{display:flex;flex-wrap:wrap;gap:10px}
        .thumbs img{display:block;border:1px solid #ccd;max-width:180px}figcaption{font-size:12px;color:#556;max-width:180px;word-break:break-all}
        .note{color:#556;font-size:13px}.ok{color:#17663a;font-weight:600}.bad{color:#a21b0c;font-weight:600}
        svg text{font:11px system-ui,sans-serif;fill:#333}
        </style></head><body>
        <h1>\(escapeHTML(title))</h1>
        \(parts.joined(separator: "\n"))
        </body></html>

        """
    }
}

/// Text made safe for HTML content and attribute values.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
