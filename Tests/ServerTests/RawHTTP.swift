import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes over a plain TCP socket, for what an HTTP client library will not send: oversized
/// headers, a body that stops arriving.
enum RawHTTP {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Sends `request` to 127.0.0.1:`port` and reads one response (head, then Content-Length
    /// bytes of body), waiting at most `timeout` seconds for it.
    static func exchange(port: Int, _ request: [UInt8], timeout: Double = 10) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer and close before it has read everything (oversized headers).
            if n <= 0 { break }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let reply = parse(received) { return reply }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        guard let reply = parse(received, complete: true) else {
            throw Failure(description: "no HTTP response (got \(received.count) bytes: \(String(decoding: received.prefix(200), as: UTF8.self)))")
        }
        return reply
    }

    /// A whole response in `bytes`, or nil while it is incomplete.
    private static func parse(_ bytes: [UInt8], complete: Bool = false) -> Reply? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2, let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(bytes[(end + 4)...])
        let length = headers["content-length"].flatMap(Int.init)
        if let length, body.count < length { return nil }
        if length == nil && !complete { return nil }
        return Reply(status: status, headers: headers, body: Data(body.prefix(length ?? body.count)))
    }
}
