/// One face in Rekognition DetectFaces shape (docs/ARCHITECTURE.md): ratios of the image size for the box
/// and landmarks, confidences 0-100. `Age` (the point estimate) and `AlignedLandmarks` (the 5
/// dlib points used for alignment) are additions.
public struct FaceDetail: Codable, Sendable, Equatable {
    public struct BoundingBox: Codable, Sendable, Equatable {
        public var Width, Height, Left, Top: Double
    }
    public struct AgeRange: Codable, Sendable, Equatable {
        public var Low, High: Int
    }
    public struct Gender: Codable, Sendable, Equatable {
        public var Value: String
        public var Confidence: Double
    }
    public struct Landmark: Codable, Sendable, Equatable {
        public var `Type`: String
        public var X, Y: Double
    }
    public var BoundingBox: BoundingBox
    public var AgeRange: AgeRange
    /// Probability-weighted mean age in years.
    public var Age: Double
    public var Gender: Gender
    /// MTCNN's five points: eyeLeft, eyeRight, nose, mouthLeft, mouthRight (left = image left).
    public var Landmarks: [Landmark]
    /// dlib's 5 alignment points: rightEyeRight, rightEyeLeft, leftEyeLeft, leftEyeRight, nose.
    public var AlignedLandmarks: [Landmark]
    /// Detection confidence, 0-100.
    public var Confidence: Double
}

/// The response of a face analysis: `{"FaceDetails": [...]}`.
public struct FaceDetails: Codable, Sendable, Equatable {
    public var FaceDetails: [FaceDetail]
    public init(_ faces: [FaceDetail]) { FaceDetails = faces }
}
