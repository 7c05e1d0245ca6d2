import Faces
import Foundation
import Hummingbird
import Imaging

/// Amazon Rekognition's DetectFaces (JSON 1.1, botocore model rekognition/2016-06-27):
/// `{"Image": {"Bytes": base64}, "Attributes": [...]}` answered by the shipped face models.
/// Attributes choose the fields as Rekognition does: DEFAULT (or none) gives BoundingBox,
/// Landmarks and Confidence; ALL adds AgeRange and Gender; AGE_RANGE and GENDER add one each.
/// The attributes these models do not estimate (emotions, smile, pose, ...) are accepted and
/// left out of the answer.
extension InspectService {
    /// Rekognition's limit on image bytes (the model's ImageBlob max).
    static let rekognitionMaxImageBytes = 5_242_880

    func rekognitionOperations() -> [String: AWSJSONOperation] {
        guard let analyzer = models.faces else { return [:] }
        // The base64 image in a JSON envelope: 4/3 of the image limit and room for the rest.
        let maxBody = Self.rekognitionMaxImageBytes / 3 * 4 + 65_536
        let operation = AWSJSONOperation(service: .rekognition, maxBodyBytes: maxBody) { [self] request, _ in
            let input = try AWSBody.decode(DetectFacesRequest.self, from: request.body)
            let attributes = try Self.faceAttributes(input.Attributes ?? [])
            guard let image = input.Image else { throw AWSError(.badRequest, "InvalidParameterException", "Image is required") }
            guard let encoded = image.Bytes else {
                if image.S3Object != nil {
                    throw AWSError(.badRequest, "InvalidS3ObjectException", "this server reads no S3 objects; send the photo as Image.Bytes")
                }
                throw AWSError(.badRequest, "InvalidParameterException", "Image needs Bytes (base64 PNG or JPEG)")
            }
            guard let bytes = Data(base64Encoded: encoded) else {
                throw AWSError(.badRequest, "InvalidParameterException", "Image.Bytes is not base64")
            }
            guard bytes.count <= Self.rekognitionMaxImageBytes else {
                throw AWSError(.badRequest, "ImageTooLargeException", "the image is \(bytes.count) bytes; the limit is \(Self.rekognitionMaxImageBytes)")
            }
            let faces = try await detectFaces(analyzer, bytes: Array(bytes), source: "Image.Bytes")
            // Rekognition describes the 100 largest faces.
            let kept = faces.count <= 100 ? faces
                : Array(faces.sorted { $0.BoundingBox.Width * $0.BoundingBox.Height > $1.BoundingBox.Width * $1.BoundingBox.Height }.prefix(100))
            let details = kept.map { RekognitionFaceDetail($0, attributes: attributes) }
            // The photo's own type: its bytes arrived in a JSON envelope.
            let photoType = ImageFormat.sniff(bytes) == .decodable(.png) ? "image/png" : "image/jpeg"
            return awsAnswer(DetectFacesResponse(FaceDetails: details), wire: .json11, route: "aws:RekognitionService.DetectFaces",
                             input: .image(Array(bytes), contentType: photoType, isFace: true))
        }
        return ["RekognitionService.DetectFaces": operation]
    }

    /// The fields asked for; an attribute outside the model's enumeration is refused.
    static func faceAttributes(_ names: [String]) throws -> Set<String> {
        let known: Set<String> = ["DEFAULT", "ALL", "AGE_RANGE", "BEARD", "EMOTIONS", "EYE_DIRECTION", "EYEGLASSES", "EYES_OPEN",
                                  "GENDER", "MOUTH_OPEN", "MUSTACHE", "FACE_OCCLUDED", "SMILE", "SUNGLASSES"]
        for name in names where !known.contains(name) {
            throw AWSError(.badRequest, "InvalidParameterException", "Attributes: '\(name)' is not one of \(known.sorted().joined(separator: ", "))")
        }
        return Set(names)
    }
}

struct DetectFacesRequest: Decodable {
    struct ImageInput: Decodable {
        var Bytes: String?
        var S3Object: [String: String]?
    }
    var Image: ImageInput?
    var Attributes: [String]?
}

struct DetectFacesResponse: Encodable {
    var FaceDetails: [RekognitionFaceDetail]
}

/// A FaceDetail with the fields the request's attributes ask for.
struct RekognitionFaceDetail: Encodable {
    var BoundingBox: FaceDetail.BoundingBox
    var AgeRange: FaceDetail.AgeRange?
    var Gender: FaceDetail.Gender?
    var Landmarks: [FaceDetail.Landmark]
    var Confidence: Double

    init(_ face: FaceDetail, attributes: Set<String>) {
        BoundingBox = face.BoundingBox
        AgeRange = attributes.contains("ALL") || attributes.contains("AGE_RANGE") ? face.AgeRange : nil
        Gender = attributes.contains("ALL") || attributes.contains("GENDER") ? face.Gender : nil
        Landmarks = face.Landmarks
        Confidence = face.Confidence
    }
}

extension AWSServiceModel {
    /// Rekognition's modeled errors (all 400 but the service faults, 500):
    /// InvalidImageFormatException, ImageTooLargeException, InvalidParameterException,
    /// ThrottlingException (500, "temporarily unable to process"), InternalServerError.
    static let rekognition = AWSServiceModel(name: "rekognition", signingName: "rekognition", wire: .json11, messageMember: "Message") { error in
        if error.isBusy {
            return AWSError(.internalServerError, "ThrottlingException", error.message, retryAfterSeconds: error.retryAfterSeconds)
        }
        if error.isTimeout || error.status.code >= 500 { return AWSError(.internalServerError, "InternalServerError", error.message) }
        if error.status == .contentTooLarge || error.imagingKind == .tooLarge {
            return AWSError(.badRequest, "ImageTooLargeException", error.message)
        }
        if error.code == "InvalidImage" { return AWSError(.badRequest, "InvalidImageFormatException", error.message) }
        return AWSError(.badRequest, "InvalidParameterException", error.message)
    }
}
