import Checksums
import Imaging
import WorkerThreads

extension InspectionDataset {
    /// The SHA-256 of each image file's bytes (in `images` order), or why the file could not
    /// be read.
    public func contentHashes(threads: Int = 2) -> [Result<String, InspectionError>] {
        WorkerPool.shared.map(count: images.count, maxThreads: threads) { i -> Result<String, InspectionError> in
            do throws(ImagingError) {
                return .success(SHA256.hex(try FileBytes.read(images[i].path)))
            } catch {
                return .failure(InspectionError(images[i].path, error.reason))
            }
        }
    }

    /// The same photos in an order that depends on their contents alone: good photos first,
    /// then anomalous ones, each class by the SHA-256 of the file's bytes. Training in this
    /// order makes the model (folds, hold-out split, coreset start, the head's variants, the
    /// input size taken from the first photo) the same whatever the photos' names, their
    /// order, or whether they came from folders or a manifest. Identical files are
    /// interchangeable, so their relative order does not matter.
    public func inCanonicalOrder(threads: Int = 2) throws(InspectionError) -> InspectionDataset {
        var hashes: [String] = []
        for hash in contentHashes(threads: threads) {
            switch hash {
            case .success(let h): hashes.append(h)
            case .failure(let error): throw error
            }
        }
        return inCanonicalOrder(hashes: hashes)
    }

    /// The canonical order given each image's content hash (`hashes[i]` is `images[i]`'s).
    func inCanonicalOrder(hashes: [String]) -> InspectionDataset {
        let keyed = zip(images, hashes).sorted { a, b in
            a.0.isAnomalous != b.0.isAnomalous ? !a.0.isAnomalous : a.1 < b.1
        }
        return InspectionDataset(images: keyed.map(\.0), maskLabels: maskLabels)
    }

    /// Good and anomalous images with the same bytes (`hashes[i]` is `images[i]`'s), one
    /// pair per anomalous image that has a good twin, in `images` order.
    func photosInBothClasses(hashes: [String]) -> [(good: String, anomalous: String)] {
        var goodByHash: [String: String] = [:]
        for (image, hash) in zip(images, hashes) where !image.isAnomalous && goodByHash[hash] == nil {
            goodByHash[hash] = image.path
        }
        return zip(images, hashes).compactMap { image, hash in
            guard image.isAnomalous, let good = goodByHash[hash] else { return nil }
            return (good, image.path)
        }
    }
}
