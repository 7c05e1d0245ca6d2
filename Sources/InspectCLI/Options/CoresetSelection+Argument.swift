import ArgumentParser
import Inspection

/// `--coreset-selection two-stage|exact` of `inspect train` and `inspect benchmark`.
extension CoresetSelection: ExpressibleByArgument {}
