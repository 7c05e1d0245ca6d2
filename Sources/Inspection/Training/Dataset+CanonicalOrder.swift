import Checksums
import Imaging

extension InspectionDataset {
    /// The same photos in an order that depends on their contents alone: good photos first,
    /// then anomalous ones, each class by the SHA-256 of the file's bytes. Training in this
    /// order makes the model (folds, hold-out split, coreset start, the head's variants, the
    /// input size taken from the first photo) the same whatever the photos' names, their
    /// order, or whether they came from folders or a manifest. Identical files are
    /// interchangeable, so their relative order does not matter.
    public func inCanonicalOrder(threads: Int = 2) throws(InspectionError) -> InspectionDataset {
        let hashes = concurrentMap(count: images.count, threads: threads) { i -> Result<String, InspectionError> in
            do throws(ImagingError) {
                return .success(SHA256.hex(try FileBytes.read(images[i].path)))
            } catch {
                return .failure(InspectionError(images[i].path, error.reason))
            }
        }
        var keyed: [(image: LabeledImage, hash: String)] = []
        for (image, hash) in zip(images, hashes) {
            switch hash {
            case .success(let h): keyed.append((image, h))
            case .failure(let error): throw error
            }
        }
        keyed.sort { a, b in
            a.image.isAnomalous != b.image.isAnomalous ? !a.image.isAnomalous : a.hash < b.hash
        }
        return InspectionDataset(images: keyed.map(\.image))
    }
}
