import Foundation

/// Reading and writing the safetensors format (huggingface/safetensors, format v1):
///
///     [8 bytes: N, little-endian UInt64] [N bytes: JSON header] [tensor data]
///
/// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
/// (offsets relative to the start of the data section) and may hold a "__metadata__"
/// object of string values. Tensors here are stored little-endian, row-major.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public var description: String { file.isEmpty ? reason : "\(file): \(reason)" }
}

/// One tensor's raw description in a safetensors file.
public struct SafetensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int]
    let begin: Int
    let end: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file loaded in memory, with tensors read as Float32 on demand.
public struct SafetensorsFile: Sendable {
    public let source: String
    public let metadata: [String: String]
    public let entries: [String: SafetensorsEntry]
    private let data: Data
    private let dataStart: Int

    /// Supported element types and their sizes in bytes.
    static let elementSizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "U8": 1]

    public init(contentsOf path: String) throws {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw SafetensorsError(file: path, reason: "cannot read the file")
        }
        try self.init(data: data, source: path)
    }

    public init(data: Data, source: String = "") throws {
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(file: source, reason: reason) }
        guard data.count >= 8 else { throw fail("too short for a safetensors header (\(data.count) bytes)") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= 100_000_000, 8 + Int(headerLength) <= data.count else {
            throw fail("header length \(headerLength) does not fit a file of \(data.count) bytes")
        }
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + Int(headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = data.count - dataStart
        var entries: [String: SafetensorsEntry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let object = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (key, item) in object {
                    guard let text = item as? String else { throw fail("metadata value for \(key) is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let object = value as? [String: Any],
                  let dtype = object["dtype"] as? String,
                  let shape = (object["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (object["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, (object["shape"] as? [Any])?.count == shape.count else {
                throw fail("tensor \(name): malformed entry (needs dtype, shape, data_offsets)")
            }
            guard let size = Self.elementSizes[dtype] else { throw fail("tensor \(name): unsupported dtype \(dtype)") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(name): negative dimension in \(shape)") }
            var byteCount = size
            for dimension in shape {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= dataSize else {
                    throw fail("tensor \(name): shape \(shape) is larger than the \(dataSize)-byte data section")
                }
                byteCount = product
            }
            let entry = SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
            guard entry.begin >= 0, entry.end >= entry.begin, entry.end <= dataSize else {
                throw fail("tensor \(name): data offsets \(offsets) outside the \(dataSize)-byte data section")
            }
            guard entry.end - entry.begin == byteCount else {
                throw fail("tensor \(name): \(entry.end - entry.begin) bytes for shape \(shape) of \(dtype)")
            }
            entries[name] = entry
        }
        self.source = source
        self.metadata = metadata
        self.entries = entries
        self.data = data
        self.dataStart = dataStart
    }

    public var names: [String] { entries.keys.sorted() }

    static let hostIsLittleEndian = 1.littleEndian == 1

    /// The named entry, or an error naming the file and the tensor.
    public func entry(_ name: String) throws -> SafetensorsEntry {
        guard let entry = entries[name] else {
            throw SafetensorsError(file: source, reason: "no tensor named \(name)")
        }
        return entry
    }

    /// The named entry, failing unless it has exactly the expected shape.
    public func entry(_ name: String, shape expected: [Int]) throws -> SafetensorsEntry {
        let entry = try entry(name)
        guard entry.shape == expected else {
            throw SafetensorsError(file: source, reason: "tensor \(name) has shape \(entry.shape), expected \(expected)")
        }
        return entry
    }

    /// Writes the entry's values converted to Float32, row-major, to `destination`, which
    /// must hold `entry.elementCount` floats (a model's tensor, with no array in between).
    public func convert(_ entry: SafetensorsEntry, into destination: UnsafeMutablePointer<Float>) {
        let count = entry.elementCount
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.begin)...])
            if entry.dtype == "F32" && Self.hostIsLittleEndian {
                UnsafeMutableRawBufferPointer(start: destination, count: count * 4)
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count * 4]))
                return
            }
            for i in 0..<count {
                switch entry.dtype {
                case "F32": destination[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                case "F64": destination[i] = Float(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                case "F16":
                    destination[i] = Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian))
                case "BF16":
                    // bfloat16 is the top half of a Float32.
                    let bits = UInt32(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16
                    destination[i] = Float(bitPattern: bits)
                case "I64": destination[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                case "I32": destination[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                default: destination[i] = Float(bytes[i])  // U8
                }
            }
        }
    }

    /// The tensor's values converted to Float32, row-major, with its shape.
    public func floats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        let entry = try entry(name)
        let count = entry.elementCount
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { convert(entry, into: base) }
            initialized = count
        }
        return (entry.shape, values)
    }

    /// Like `floats`, but fails unless the tensor has exactly the expected shape.
    public func floats(_ name: String, shape expected: [Int]) throws -> [Float] {
        _ = try entry(name, shape: expected)
        return try floats(name).values
    }
}

/// Writes Float32 tensors as a safetensors file (names sorted, data 8-byte aligned).
public enum SafetensorsWriter {
    public static func encode(_ tensors: [(name: String, shape: [Int], values: [Float])],
                              metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.name < $1.name }
        for tensor in sorted {
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw SafetensorsError(file: "", reason: "tensor \(tensor.name): \(tensor.values.count) values for shape \(tensor.shape)")
            }
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data section starts 8-byte aligned.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for tensor in sorted {
            if SafetensorsFile.hostIsLittleEndian {
                tensor.values.withUnsafeBytes { out.append(contentsOf: $0) }
            } else {
                for value in tensor.values {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
                }
            }
        }
        return out
    }

    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])],
                             metadata: [String: String] = [:], to path: String) throws {
        let data = try encode(tensors, metadata: metadata)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SafetensorsError(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
