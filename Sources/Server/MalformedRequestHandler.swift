import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Requests NIO's HTTP parser refuses before any route sees them (headers over the size limit,
/// a malformed request line) get the JSON error shape and the connection is closed. Without
/// this, Hummingbird answers them with an empty 400.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    /// NIO's default limit on the request line and headers together (80 kB).
    static let headerLimitBytes = 80 * 1024
    /// The parser reports once per connection, but answer at most once whatever it does.
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let apiError = Self.apiError(parseError)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(ErrorEnvelope(error: .init(code: apiError.code, message: apiError.message)))) ?? Data()
        var head = HTTPResponse(status: apiError.status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The API error for a request the parser refused.
    static func apiError(_ error: HTTPParserError) -> APIError {
        switch error {
        case .headerOverflow:
            return APIError(.requestHeaderFieldsTooLarge, code: "HeadersTooLarge",
                            "the request line and headers are larger than the \(headerLimitBytes / 1024) kB limit")
        default:
            return APIError(.badRequest, code: "MalformedRequest", "the request is not valid HTTP/1.1 (\(error))")
        }
    }
}
