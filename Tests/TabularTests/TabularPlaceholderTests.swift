import Testing
@testable import Tabular
