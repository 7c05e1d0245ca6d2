/// Splits 0..<n into `parts` contiguous ranges whose boundaries are multiples of `align`
/// (except the last), as evenly as possible. Deterministic: depends only on its arguments.
func splitRange(_ n: Int, parts: Int, align: Int = 1) -> [Range<Int>] {
    let units = (n + align - 1) / align
    let p = max(1, min(parts, units))
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(p)
    for i in 0..<p {
        let lo = min(n, (units * i / p) * align)
        let hi = min(n, (units * (i + 1) / p) * align)
        if hi > lo { ranges.append(lo..<hi) }
    }
    return ranges
}
