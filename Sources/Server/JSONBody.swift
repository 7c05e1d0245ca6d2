import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON responses: sorted keys, no escaped slashes, non-finite numbers as strings.
enum JSONBody {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encode(value)) ?? Data(#"{"error":{"code":"InternalError","message":"could not encode the response"}}"#.utf8)
        return bytes(data, contentType: "application/json", status: status)
    }

    static func bytes<C: Collection<UInt8>>(_ bytes: C, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
