import Foundation

/// Data capture (SageMaker Model Monitor style): for a sample of requests, one JSON line per
/// event in `DIR/capture.jsonl` with an event id, the route, the request's metadata (and
/// fields for JSON or CSV inputs) and the response. Images are written to `DIR/images/` only
/// when enabled, and face photos (selfies) only when that is enabled as well.
public struct CaptureSettings: Sendable {
    public var directory: URL
    /// Share of requests captured, 0 to 100.
    public var percent: Double
    public var storeImages: Bool
    public var storeFaces: Bool

    public init(directory: URL, percent: Double, storeImages: Bool = false, storeFaces: Bool = false) {
        self.directory = directory
        self.percent = percent
        self.storeImages = storeImages
        self.storeFaces = storeFaces
    }
}

final class DataCapture: @unchecked Sendable {
    enum Input {
        case text(String, contentType: String)
        case image([UInt8], contentType: String, isFace: Bool)
        case none
    }

    struct Record: Encodable {
        struct Payload: Encodable {
            var observedContentType: String
            var mode: String
            var data: String?
            var imageFile: String?
            var bytes: Int?
        }
        struct CaptureData: Encodable {
            var endpointInput: Payload
            var endpointOutput: Payload
        }
        struct EventMetadata: Encodable {
            var eventId: String
            var route: String
            var inferenceTime: String
            var status: Int
        }
        var captureData: CaptureData
        var eventMetadata: EventMetadata
        var eventVersion = "0"
    }

    let settings: CaptureSettings
    private let lock = NSLock()
    private let file: FileHandle

    init(_ settings: CaptureSettings) throws {
        self.settings = settings
        let fm = FileManager.default
        try fm.createDirectory(at: settings.directory.appendingPathComponent("images"), withIntermediateDirectories: true)
        let path = settings.directory.appendingPathComponent("capture.jsonl").path
        if !fm.fileExists(atPath: path) { _ = fm.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError.internalError("--capture \(settings.directory.path): cannot open \(path) for writing")
        }
        handle.seekToEndOfFile()
        file = handle
    }

    /// Whether to capture this request (a coin flip weighted by the percentage).
    func sample() -> Bool { settings.percent >= 100 || Double.random(in: 0..<100) < settings.percent }

    func write(route: String, input: Input, status: Int, responseJSON: Data) {
        let id = UUID().uuidString.lowercased()
        var payload = Record.Payload(observedContentType: "", mode: "INPUT")
        switch input {
        case .text(let text, let type):
            payload.observedContentType = type
            payload.data = text
        case .image(let bytes, let type, let isFace):
            payload.observedContentType = type
            payload.bytes = bytes.count
            if settings.storeImages && (!isFace || settings.storeFaces) {
                let name = "images/\(id).\(type == "image/png" ? "png" : "jpg")"
                if FileManager.default.createFile(atPath: settings.directory.appendingPathComponent(name).path, contents: Data(bytes)) {
                    payload.imageFile = name
                }
            }
        case .none:
            break
        }
        let record = Record(
            captureData: .init(endpointInput: payload,
                               endpointOutput: .init(observedContentType: "application/json", mode: "OUTPUT",
                                                     data: String(decoding: responseJSON, as: UTF8.self))),
            eventMetadata: .init(eventId: id, route: route, inferenceTime: ISO8601DateFormatter().string(from: Date()), status: status))
        guard var line = try? JSONBody.encode(record) else { return }
        line.append(10)
        lock.withLock { file.write(line) }
    }
}
