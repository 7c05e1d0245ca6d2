import ArgumentParser
import Inspection

/// `--coreset-selection auto|two-stage|exact` of `inspect train` and `inspect benchmark`.
extension CoresetSelection: ExpressibleByArgument {}
