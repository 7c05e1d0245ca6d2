import Foundation

/// Features binned for histogram trees: code 0 is missing, codes 1...k are quantile bins.
public struct BinnedFeatures: Sendable {
    public var rows: Int
    public var columns: Int
    /// Column-major bin codes.
    public var codes: [UInt8]
    public var edges: [[Double]]

    public static let maxBins = 255

    public init(_ x: FeatureMatrix, edges given: [[Double]]? = nil) {
        rows = x.rows; columns = x.columns
        edges = given ?? (0..<x.columns).map { j in
            Quantiles.edges((0..<x.rows).map { x.values[$0 * x.columns + j] }.filter { !$0.isNaN }, bins: Self.maxBins - 1)
        }
        codes = [UInt8](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for i in 0..<rows {
                let v = x.values[i * columns + j]
                codes[j * rows + i] = v.isNaN ? 0 : UInt8(1 + Quantiles.bin(v, edges[j]))
            }
        }
    }
    public func bins(_ j: Int) -> Int { edges[j].count + 2 }
}

/// One node of a regression tree; a split sends x <= threshold left, missing as learned.
public struct TreeNode: Codable, Sendable {
    public var feature = -1
    public var threshold = 0.0
    public var missingLeft = true
    public var left = -1
    public var right = -1
    public var value = 0.0
    var isLeaf: Bool { feature < 0 }
}

public struct TreeParameters: Codable, Sendable, Equatable {
    public var maxLeaves = 31
    public var maxDepth = 8
    public var minSamplesLeaf = 20
    /// L2 penalty on leaf values (lambda in the gain formula).
    public var l2 = 0.0
    public init(maxLeaves: Int = 31, maxDepth: Int = 8, minSamplesLeaf: Int = 20, l2: Double = 0) {
        self.maxLeaves = maxLeaves; self.maxDepth = maxDepth; self.minSamplesLeaf = minSamplesLeaf; self.l2 = l2
    }
}

/// A regression tree fitted to gradients and hessians, grown best-leaf-first on histograms.
public struct RegressionTree: Codable, Sendable {
    public var nodes: [TreeNode]

    public func predict(_ row: ArraySlice<Double>) -> Double {
        let base = row.startIndex
        var k = 0
        while !nodes[k].isLeaf {
            let n = nodes[k]
            let v = row[base + n.feature]
            k = v.isNaN ? (n.missingLeft ? n.left : n.right) : (v <= n.threshold ? n.left : n.right)
        }
        return nodes[k].value
    }

    struct Split { var gain = 0.0, feature = -1, bin = 0, missingLeft = true }
    struct Leaf { var node: Int; var rows: [Int]; var depth: Int; var split: Split; var g: Double; var h: Double }

    /// Grows one tree. Leaf value -G/(H + l2); split gain
    /// G_L^2/(H_L + l2) + G_R^2/(H_R + l2) - G^2/(H + l2)  (XGBoost, Chen & Guestrin 2016, eq. 7).
    public static func fit(_ x: BinnedFeatures, rows: [Int], g: [Double], h: [Double], _ p: TreeParameters) -> RegressionTree {
        var nodes = [TreeNode()]
        func sums(_ r: [Int]) -> (Double, Double) { r.reduce((0.0, 0.0)) { ($0.0 + g[$1], $0.1 + h[$1]) } }
        let (g0, h0) = sums(rows)
        var frontier = [Leaf(node: 0, rows: rows, depth: 0, split: bestSplit(x, rows, g, h, g0, h0, p), g: g0, h: h0)]
        var leaves = 1
        while leaves < p.maxLeaves {
            guard let k = frontier.indices.filter({ frontier[$0].split.gain > 1e-12 }).max(by: { frontier[$0].split.gain < frontier[$1].split.gain }) else { break }
            let leaf = frontier.remove(at: k)
            let s = leaf.split
            let codes = x.codes[(s.feature * x.rows)..<((s.feature + 1) * x.rows)]
            var l: [Int] = [], r: [Int] = []
            for i in leaf.rows {
                let c = Int(codes[codes.startIndex + i])
                if c == 0 ? s.missingLeft : c <= s.bin { l.append(i) } else { r.append(i) }
            }
            let li = nodes.count, ri = nodes.count + 1
            nodes.append(TreeNode()); nodes.append(TreeNode())
            // Codes 1...bin are values <= edges[bin - 1].
            nodes[leaf.node].feature = s.feature
            nodes[leaf.node].threshold = s.bin - 1 < x.edges[s.feature].count ? x.edges[s.feature][s.bin - 1] : .infinity
            nodes[leaf.node].missingLeft = s.missingLeft
            nodes[leaf.node].left = li
            nodes[leaf.node].right = ri
            for (node, part) in [(li, l), (ri, r)] {
                let (gs, hs) = sums(part)
                let split = leaf.depth + 1 < p.maxDepth ? bestSplit(x, part, g, h, gs, hs, p) : Split()
                frontier.append(Leaf(node: node, rows: part, depth: leaf.depth + 1, split: split, g: gs, h: hs))
            }
            leaves += 1
        }
        for leaf in frontier { nodes[leaf.node].value = -leaf.g / (leaf.h + p.l2 + 1e-12) }
        return RegressionTree(nodes: nodes)
    }

    static func bestSplit(_ x: BinnedFeatures, _ rows: [Int], _ g: [Double], _ h: [Double], _ gt: Double, _ ht: Double, _ p: TreeParameters) -> Split {
        var best = Split()
        guard rows.count >= 2 * p.minSamplesLeaf else { return best }
        let parent = gt * gt / (ht + p.l2)
        for j in 0..<x.columns {
            let nb = x.bins(j)
            var hg = [Double](repeating: 0, count: nb), hh = hg, hc = [Int](repeating: 0, count: nb)
            x.codes.withUnsafeBufferPointer { cb in
                let base = j * x.rows
                for i in rows { let c = Int(cb[base + i]); hg[c] += g[i]; hh[c] += h[i]; hc[c] += 1 }
            }
            // Scan thresholds over the non-missing bins; try the missing rows on each side.
            for missingLeft in hc[0] > 0 ? [true, false] : [true] {
                var gl = missingLeft ? hg[0] : 0, hl = missingLeft ? hh[0] : 0, cl = missingLeft ? hc[0] : 0
                for b in 1..<(nb - 1) {
                    gl += hg[b]; hl += hh[b]; cl += hc[b]
                    if hc[b] == 0 { continue }
                    let cr = rows.count - cl
                    if cl < p.minSamplesLeaf { continue }
                    if cr < p.minSamplesLeaf { break }
                    let gr = gt - gl, hr = ht - hl
                    if hl < 1e-3 || hr < 1e-3 { continue }
                    let gain = gl * gl / (hl + p.l2) + gr * gr / (hr + p.l2) - parent
                    if gain > best.gain { best = Split(gain: gain, feature: j, bin: b, missingLeft: missingLeft) }
                }
            }
        }
        return best
    }
}
