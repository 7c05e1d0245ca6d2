import ArgumentParser
import Inspection

/// Runs a command's body; an `InspectionError` (a photo, folder or model that cannot be used)
/// is printed as one "error: ..." line and the command exits with status 1.
func exitingOnInspectionError(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as InspectionError {
        printError(error.description)
        throw ExitCode.failure
    }
}
