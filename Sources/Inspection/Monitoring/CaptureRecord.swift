import Foundation
import Imaging

/// One line of a data-capture file (SageMaker Model Monitor's capture shape): the request's
/// input and the response, the event's id, route, time and status, and for inspection
/// requests what monitoring needs (`inspection`; the image itself is never in it).
public struct CaptureRecord: Sendable, Codable {
    public struct Payload: Sendable, Codable {
        public var observedContentType: String
        public var mode: String
        /// The request or response text (JSON or CSV inputs, every response).
        public var data: String?
        /// The stored photo, relative to the capture folder (only with --capture-images).
        public var imageFile: String?
        /// The size of a photo that was not stored.
        public var bytes: Int?

        public init(observedContentType: String, mode: String, data: String? = nil, imageFile: String? = nil, bytes: Int? = nil) {
            self.observedContentType = observedContentType
            self.mode = mode
            self.data = data
            self.imageFile = imageFile
            self.bytes = bytes
        }
    }
    public struct CaptureData: Sendable, Codable {
        public var endpointInput: Payload
        public var endpointOutput: Payload
    }
    public struct EventMetadata: Sendable, Codable {
        public var eventId: String
        public var route: String
        /// ISO 8601, UTC ("2026-12-07T09:30:00Z").
        public var inferenceTime: String
        public var status: Int
    }

    public var captureData: CaptureData
    public var eventMetadata: EventMetadata
    public var eventVersion: String
    public var inspection: CapturedInspection?

    public init(eventId: String, route: String, time: Date, status: Int, input: Payload, output: Payload,
                inspection: CapturedInspection? = nil) {
        captureData = CaptureData(endpointInput: input, endpointOutput: output)
        eventMetadata = EventMetadata(eventId: eventId, route: route, inferenceTime: ISO8601DateFormatter().string(from: time),
                                      status: status)
        eventVersion = "0"
        self.inspection = inspection
    }
}

/// What an inspection request's capture record keeps for monitoring: the model and the version
/// that answered, the verdict and the photo's statistics and feature sketch.
public struct CapturedInspection: Sendable, Codable, Equatable {
    public var model: String
    /// The model version that answered; absent in records written before versions were recorded.
    public var modelVersion: Int?
    public var score: Double
    public var threshold: Double
    public var isAnomalous: Bool
    public var statistics: ImageStatistics
    public var featureSketch: [Float]

    public init(model: String, version: Int?, result: InspectionResult, statistics: ImageStatistics) {
        self.model = model
        modelVersion = version
        score = Double(result.score)
        threshold = Double(result.threshold)
        isAnomalous = result.isAnomalous
        self.statistics = statistics
        featureSketch = result.featureSketch
    }
}

extension CapturedInspection {
    /// Whether `version` answered this request; a record that names no version counts as
    /// any version's, since it cannot be told apart.
    public func isAnswered(byVersion version: Int) -> Bool { modelVersion.map { $0 == version } ?? true }
}
