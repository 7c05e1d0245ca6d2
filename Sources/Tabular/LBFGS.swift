import Foundation

/// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4
/// and 7.5) with a backtracking line search on the Armijo condition
/// f(x + a p) <= f(x) + c1 a g.p, skipping curvature pairs with s.y <= 0.
public struct LBFGS: Sendable {
    public var memory = 10
    public var maxIterations = 500
    /// Stop when the largest gradient component is below this.
    public var gradientTolerance = 1e-7
    public init(memory: Int = 10, maxIterations: Int = 500, gradientTolerance: Double = 1e-7) {
        self.memory = memory; self.maxIterations = maxIterations; self.gradientTolerance = gradientTolerance
    }

    public struct Result: Sendable { public var x: [Double]; public var value: Double; public var iterations: Int }

    /// Minimises f from x0; `f(x, &g)` returns the value and writes the gradient into g.
    public func minimize(_ x0: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = x0.count
        var x = x0, g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var xNew = x, gNew = g
        var iter = 0
        while iter < maxIterations {
            if g.reduce(0, { Swift.max($0, abs($1)) }) < gradientTolerance { break }
            // Two-loop recursion: p = -H g, with H0 = (s.y / y.y) I from the newest pair.
            var q = g
            var alpha = [Double](repeating: 0, count: s.count)
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[i] = rho[i] * dot(s[i], q)
                for j in 0..<n { q[j] -= alpha[i] * y[i][j] }
            }
            let gamma = s.isEmpty ? 1 / Swift.max(1, norm(g)) : dot(s[s.count - 1], y[y.count - 1]) / dot(y[y.count - 1], y[y.count - 1])
            for j in 0..<n { q[j] *= gamma }
            for i in 0..<s.count {
                let beta = rho[i] * dot(y[i], q)
                for j in 0..<n { q[j] += s[i][j] * (alpha[i] - beta) }
            }
            var p = q.map { -$0 }
            var slope = dot(g, p)
            if slope >= 0 {   // not a descent direction: restart from steepest descent
                s.removeAll(); y.removeAll(); rho.removeAll()
                p = g.map { -$0 / Swift.max(1, norm(g)) }
                slope = dot(g, p)
            }
            var step = 1.0, fNew = fx, accepted = false
            for _ in 0..<40 {
                for j in 0..<n { xNew[j] = x[j] + step * p[j] }
                fNew = f(xNew, &gNew)
                if fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { break }
            let sk = (0..<n).map { xNew[$0] - x[$0] }, yk = (0..<n).map { gNew[$0] - g[$0] }
            let sy = dot(sk, yk)
            if sy > 1e-12 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            let decrease = fx - fNew
            x = xNew; g = gNew; fx = fNew
            iter += 1
            if decrease <= 1e-12 * Swift.max(1, abs(fx)) { break }
        }
        return Result(x: x, value: fx, iterations: iter)
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
    func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
