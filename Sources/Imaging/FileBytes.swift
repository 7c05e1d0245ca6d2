#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The POSIX calls under names that the static methods below do not shadow.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

/// Whole-file reads with errors that name the file and say why.
public enum FileBytes {
    public static func read(_ path: String, limit: Int = Int.max) throws(ImagingError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            var linkInfo = stat()
            if code == ENOENT, lstat(path, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK {
                throw ImagingError(source: path, kind: .unreadable, reason: "broken symbolic link")
            }
            throw failure(path, code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImagingError(source: path, kind: .unreadable, reason: "is a directory, not a file")
        }
        let size = Int(info.st_size)
        if size > limit {
            throw ImagingError(source: path, kind: .tooLarge,
                               reason: "file of \(formatByteCount(size)) exceeds the \(formatByteCount(limit)) limit")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        let failedErrno: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = posixRead(fd, buffer.baseAddress!.advanced(by: done), size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }  // the file shrank while we read it
                done += n
            }
            return nil
        }
        if let code = failedErrno { throw failure(path, code) }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure(path, errno, writing: true) }
        defer { close(fd) }
        var done = 0
        let failedErrno: Int32? = bytes.withUnsafeBytes { buffer in
            while done < buffer.count {
                let n = posixWrite(fd, buffer.baseAddress!.advanced(by: done), buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let code = failedErrno { throw failure(path, code, writing: true) }
    }

    static func failure(_ path: String, _ code: Int32, writing: Bool = false) -> ImagingError {
        let reason = String(cString: strerror(code)).lowercased()
        return ImagingError(source: path, kind: writing ? .encodeFailed : .unreadable,
                            reason: writing ? "cannot write: \(reason)" : "cannot read: \(reason)")
    }
}
