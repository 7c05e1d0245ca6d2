import Foundation

/// The process's resident memory, open file descriptors and CPU time, read from the kernel
/// at the moment asked (Linux's /proc; getrusage elsewhere, without the first two).
struct ProcessFigures {
    var residentBytes: Double?
    var openFileDescriptors: Int?
    var cpuSeconds: Double

    static func read() -> ProcessFigures {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ProcessFigures(residentBytes: residentBytes(), openFileDescriptors: openFileDescriptors(), cpuSeconds: cpu)
    }

    /// /proc/self/statm's second field is the resident set in pages.
    private static func residentBytes() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// One entry per open descriptor in /proc/self/fd (less the one listing it).
    private static func openFileDescriptors() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        return max(0, entries.count - 1)
    }
}
