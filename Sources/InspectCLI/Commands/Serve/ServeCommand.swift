import ArgumentParser
import Foundation
import Inspection
import Server

/// `inspect serve`: the HTTP API and web page on Hummingbird.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API and the web page (stops gracefully on SIGTERM or Ctrl-C).",
        discussion: """
            Serves the shipped survival and face models from the Models directory, and the served \
            version (promoted, else newest) of every inspection model directly inside the Models \
            directory or the model store. A model that does not load is logged and listed with its \
            error in /v1/models while the others serve; the server refuses to start only when the \
            store was named (--model-store or INSPECT_MODEL_STORE) and not one of its models loads. \
            SIGHUP, or POST /v1/models/reload with --admin-token, reloads the inspection models \
            (docs/MODELS.md).
            """)
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @OptionGroup var models: ModelsOption
    @OptionGroup var modelStore: ModelStoreOption
    @Option(help: ArgumentHelp("Inference threads: requests scored at once; with 1, one at a time, its layers split across the cores (default: 1).", valueName: "n"))
    var threads: Int?
    @Option(name: .customLong("workers"), help: .hidden) var workers: Int?
    @Option(help: "Inference jobs that may wait before requests get 503 (with --max-batch, requests waiting for a batch).") var queue = 16
    @Option(help: ArgumentHelp("Dynamic batching: run up to this many inspection or face detect requests for one model as one batch (1: off).",
                               valueName: "n"))
    var maxBatch = 1
    @Option(name: .customLong("max-wait-ms"),
            help: ArgumentHelp("With --max-batch: the longest a batch waits for more requests after its first, in milliseconds (0: it starts as soon as the model is free).",
                               valueName: "ms"))
    var maxWaitMilliseconds: Double = 0
    @Option(help: "Request timeout in seconds.") var timeout: Double = 30
    @Option(help: "Data capture: write sampled requests and responses as JSON lines under this directory.") var capture: String?
    @Option(help: "Share of requests to capture, in percent.") var capturePercent: Double = 100
    @Option(name: .customLong("capture-max-mb"), help: "Roll capture.jsonl over to capture-YYYYMMDDTHHMMSS.jsonl past this size, in MB.")
    var captureMaxMB: Double = 100
    @Flag(help: "Also store captured images (product photos).") var captureImages = false
    @Flag(help: "Also store captured face photos (selfies); needs --capture-images.") var captureSelfies = false
    @Option(help: ArgumentHelp("Access log, one JSON line per request (method, route, status, ms, bytes): stderr, off, or a file to append to.",
                               valueName: "off|FILE")) var accessLog = "stderr"
    @Option(help: ArgumentHelp("Serve the AWS-compatible routes (docs/AWS.md) on this port instead of --port (0: any free port).", valueName: "port"))
    var awsPort: Int?
    @Option(help: ArgumentHelp("AWS shared-credentials file: the SigV4 signatures of AWS-compatible requests are checked against its access keys.", valueName: "file"))
    var awsCredentials: String?
    @Flag(help: "Without --aws-credentials, accept unsigned AWS-compatible requests on an address other than loopback.")
    var insecureNoAuth = false
    @Option(help: ArgumentHelp("Enable POST /v1/models/reload for requests with `Authorization: Bearer TOKEN` (default: $\(Self.adminTokenVariable); without one the route is off).",
                               valueName: "token"))
    var adminToken: String?

    static let adminTokenVariable = "INSPECT_ADMIN_TOKEN"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
        if threads != nil && workers != nil { throw ValidationError("give --threads only (--workers is its former name)") }
        if let given = threads ?? workers, given < 1 { throw ValidationError("--threads \(given): expected at least 1") }
        guard queue >= 0 else { throw ValidationError("--queue \(queue): expected 0 or more") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch \(maxBatch): expected at least 1") }
        guard maxWaitMilliseconds >= 0, maxWaitMilliseconds <= 10_000 else {
            throw ValidationError("--max-wait-ms \(maxWaitMilliseconds): expected 0 to 10000")
        }
        if maxBatch == 1 && maxWaitMilliseconds > 0 { throw ValidationError("--max-wait-ms needs --max-batch above 1") }
        guard timeout > 0 else { throw ValidationError("--timeout \(timeout): expected seconds above 0") }
        guard (0...100).contains(capturePercent) else { throw ValidationError("--capture-percent \(capturePercent): expected 0 to 100") }
        guard captureMaxMB > 0 else { throw ValidationError("--capture-max-mb \(captureMaxMB): expected a size above 0") }
        if capture == nil && (captureImages || captureSelfies) { throw ValidationError("--capture-images and --capture-selfies need --capture DIR") }
        if captureSelfies && !captureImages { throw ValidationError("--capture-selfies needs --capture-images") }
        if let awsPort, !(0...65535).contains(awsPort) { throw ValidationError("--aws-port \(awsPort): expected 0 to 65535") }
        if let awsPort, awsPort == port, port != 0 { throw ValidationError("--aws-port \(awsPort) is --port too; leave it out to serve both on one port") }
    }

    func run() async throws {
        let directory: URL
        let catalog: ModelCatalog
        do {
            directory = try models.directory()
            let store = modelStore.store.root
            if modelStore.modelStore != nil && !FileManager.default.fileExists(atPath: store) {
                throw ValidationError("--model-store \(store): no such directory")
            }
            catalog = try ModelCatalog.load(modelsDirectory: directory, bundleFolders: [URL(fileURLWithPath: store)])
            for line in catalog.brokenLines { printError("inspect serve: cannot serve \(line)") }
            let named = modelStore.modelStore != nil || !(ProcessInfo.processInfo.environment[ModelStore.environmentVariable] ?? "").isEmpty
            if named && catalog.inspection.isEmpty && !catalog.broken.isEmpty {
                throw ValidationError("not one inspection model of the model store \(store) loads (each is named above)")
            }
        } catch {
            printError("inspect serve: not starting: \(error)")
            throw ExitCode(2)
        }
        var limits = ServerLimits()
        limits.inferenceThreads = threads ?? workers ?? 1
        limits.inferenceQueueCapacity = queue
        limits.requestTimeoutSeconds = timeout
        let settings = ServerConfiguration(
            host: host, port: port, limits: limits,
            capture: capture.map { CaptureSettings(directory: URL(fileURLWithPath: $0), percent: capturePercent,
                                                   storeImages: captureImages, storeFaces: captureSelfies,
                                                   maxBytes: max(1, Int(captureMaxMB * 1024 * 1024))) },
            accessLog: AccessLogDestination(argument: accessLog))
        var configuration = settings
        configuration.batching = BatchingSettings(maxBatch: maxBatch, maxWaitSeconds: maxWaitMilliseconds / 1000)
        let service: InspectService
        do {
            let token = adminToken ?? ProcessInfo.processInfo.environment[Self.adminTokenVariable].flatMap { $0.isEmpty ? nil : $0 }
            if let token, token.count < 8 || token.contains(where: \.isWhitespace) {
                throw ValidationError("\(adminToken == nil ? Self.adminTokenVariable : "--admin-token"): expected at least 8 characters without spaces")
            }
            configuration.adminToken = token
            configuration.reloadLog = { reload in
                FileHandle.standardError.write(Data("inspect serve: \(reload.summary)\n".utf8))
            }
            configuration.aws = AWSSettings(credentials: try awsCredentials.map { path throws(AWSCredentials.FileError) in try AWSCredentials.load(path: path) },
                                            port: awsPort, allowUnsignedOffLoopback: insecureNoAuth)
            service = try InspectService(configuration: configuration, models: catalog)
        } catch {
            printError("inspect serve: not starting: \(error)")
            throw ExitCode(2)
        }
        let sources = catalog.sources.map { "  \($0)\n" }.joined()
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let aws = configuration.aws
        let batching = configuration.batching
        let reloadRoute = configuration.adminToken == nil ? "" : " or POST /v1/models/reload with the admin token"
        do {
            try await service.run(onRunning: { port in
                FileHandle.standardError.write(Data("inspect serve: models\n\(sources)inspect serve: listening on http://\(host):\(port)/\n".utf8))
                if batching.isEnabled {
                    FileHandle.standardError.write(Data("inspect serve: detect requests batched, up to \(batching.maxBatch) per batch, waiting at most \(batching.maxWaitSeconds * 1000) ms\n".utf8))
                }
                FileHandle.standardError.write(Data("inspect serve: reload the models with SIGHUP (kill -HUP \(getpid()))\(reloadRoute)\n".utf8))
                if aws.port == nil { FileHandle.standardError.write(Data("inspect serve: \(aws.summary(mainPort: port, awsPort: nil))\n".utf8)) }
            }, onAWSRunning: { port in
                FileHandle.standardError.write(Data("inspect serve: \(aws.summary(mainPort: port, awsPort: port)) (http://\(host):\(port)/)\n".utf8))
            })
        } catch let error as StartError {
            printError("inspect serve: not starting: \(error)")
            throw ExitCode(2)
        }
        FileHandle.standardError.write(Data("inspect serve: stopped\n".utf8))
    }
}
