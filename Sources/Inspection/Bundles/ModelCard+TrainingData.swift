import Checksums

extension ModelCard {
    /// What a model version was trained on: the photo count and a hash of the photos' contents,
    /// so two versions can be told apart (or shown to share their data) without the photos.
    public struct TrainingData: Codable, Sendable, Equatable {
        public var photos: Int
        /// SHA-256 (hex) over the sorted lines `good <sha256>` or `anomalous <sha256>`, one per
        /// training photo, each with the SHA-256 of the photo file's bytes: the same photos
        /// give the same hash whatever their names, folders or order.
        public var sha256: String
        /// How `sha256` was computed, in words, for a reader of the card.
        public var hashOf: String

        public static let hashDescription = "sorted lines \"good|anomalous <SHA-256 of the photo file's bytes>\" of the training photos"

        public init(photos: Int, sha256: String, hashOf: String = Self.hashDescription) {
            self.photos = photos
            self.sha256 = sha256
            self.hashOf = hashOf
        }

        /// The record of a training set, given each photo's label and content hash.
        public init(photos: [(isAnomalous: Bool, sha256: String)]) {
            let lines = photos.map { "\($0.isAnomalous ? "anomalous" : "good") \($0.sha256)\n" }.sorted()
            self.init(photos: photos.count, sha256: SHA256.hex(Array(lines.joined().utf8)))
        }
    }
}
