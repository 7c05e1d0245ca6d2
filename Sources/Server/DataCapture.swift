import Foundation
import Inspection

/// Data capture (SageMaker Model Monitor style): for a sample of requests, one JSON line per
/// event in `DIR/capture.jsonl` (`CaptureRecord`: an event id, the route, the request's
/// metadata and fields for JSON or CSV inputs, the response, and for inspection requests
/// what monitoring needs). Images are written to `DIR/images/` only when enabled, and face
/// photos (selfies) only when that is enabled as well. Past `maxBytes` the file is rolled to
/// `capture-YYYYMMDDTHHMMSS.jsonl` and a new one started (`CaptureFiles`).
public struct CaptureSettings: Sendable {
    public var directory: URL
    /// Share of requests captured, 0 to 100.
    public var percent: Double
    public var storeImages: Bool
    public var storeFaces: Bool
    /// Size at which `capture.jsonl` is rolled over.
    public var maxBytes: Int

    public static let defaultMaxBytes = 100 * 1024 * 1024

    public init(directory: URL, percent: Double, storeImages: Bool = false, storeFaces: Bool = false, maxBytes: Int = defaultMaxBytes) {
        self.directory = directory
        self.percent = percent
        self.storeImages = storeImages
        self.storeFaces = storeFaces
        self.maxBytes = maxBytes
    }
}

final class DataCapture: @unchecked Sendable {
    enum Input {
        case text(String, contentType: String)
        case image([UInt8], contentType: String, isFace: Bool)
        case none
    }

    let settings: CaptureSettings
    private let lock = NSLock()
    private var file: FileHandle
    private var size: UInt64
    private let path: String

    init(_ settings: CaptureSettings) throws {
        self.settings = settings
        let fm = FileManager.default
        try fm.createDirectory(at: settings.directory.appendingPathComponent("images"), withIntermediateDirectories: true)
        path = settings.directory.appendingPathComponent(CaptureFiles.current).path
        (file, size) = try Self.open(path, directory: settings.directory)
    }

    private static func open(_ path: String, directory: URL) throws -> (FileHandle, UInt64) {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) { _ = fm.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError.internalError("--capture \(directory.path): cannot open \(path) for writing")
        }
        return (handle, handle.seekToEndOfFile())
    }

    /// Whether to capture this request (a coin flip weighted by the percentage).
    func sample() -> Bool { settings.percent >= 100 || Double.random(in: 0..<100) < settings.percent }

    func write(route: String, input: Input, status: Int, response: Data, responseType: String = "application/json",
               inspection: CapturedInspection? = nil) {
        let id = UUID().uuidString.lowercased()
        var payload = CaptureRecord.Payload(observedContentType: "", mode: "INPUT")
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
        let record = CaptureRecord(eventId: id, route: route, time: Date(), status: status, input: payload,
                                   output: .init(observedContentType: responseType, mode: "OUTPUT",
                                                 data: String(decoding: response, as: UTF8.self)),
                                   inspection: inspection)
        guard var line = try? JSONBody.encode(record) else { return }
        line.append(10)
        lock.withLock {
            if size > 0 && size + UInt64(line.count) > UInt64(settings.maxBytes) { roll() }
            file.write(line)
            size += UInt64(line.count)
        }
    }

    /// Renames the full file to its rolled name (a suffix when that name is taken, for two
    /// rolls within a second) and starts a new one; if that fails, writing goes on in the old one.
    private func roll() {
        let fm = FileManager.default
        let base = CaptureFiles.rolledName(at: Date())
        var target = settings.directory.appendingPathComponent(base).path, n = 1
        while fm.fileExists(atPath: target) {
            n += 1
            target = settings.directory.appendingPathComponent(base.replacingOccurrences(of: ".jsonl", with: "-\(n).jsonl")).path
        }
        do {
            try file.close()
            try fm.moveItem(atPath: path, toPath: target)
            (file, size) = try Self.open(path, directory: settings.directory)
        } catch {
            if let reopened = try? Self.open(path, directory: settings.directory) { (file, size) = reopened }
        }
    }
}
