import ArgumentParser

/// `inspect images ...`: work with folders of images.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Work with folders of images.",
        subcommands: [ImagesCheckCommand.self]
    )
}
