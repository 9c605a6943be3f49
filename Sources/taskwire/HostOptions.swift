import ArgumentParser
import CMalloc
import CSQLite
import Foundation
import Logging
import TaskwireProtocol
import TaskwireRelay
import TaskwireServer
import TaskwireStore
import TaskwireSync
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#endif

/// The options of a stdio host, whichever protocol it speaks: database, relay, logging, message size.
struct HostOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "A Redis relay, redis://[user:password@]host:port[/db] (default: $TASKWIRE_REDIS_URL).")
    var redis: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: $TASKWIRE_LOG, else warning).")
    var logLevel: String?
    @Option(help: "The longest input message accepted, in bytes.")
    var maxMessageBytes: Int = Limits.defaultMaxMessageBytes

    func validate() throws {
        guard maxMessageBytes > 0 else { throw ValidationError("--max-message-bytes must be positive") }
        if let level = logLevel ?? ProcessInfo.processInfo.environment["TASKWIRE_LOG"],
            Logger.Level(rawValue: level) == nil
        {
            throw ValidationError("unknown log level \(level)")
        }
    }

    /// Everything a protocol surface needs to build its handler.
    struct Parts {
        let configuration: ServerConfiguration
        let store: any TaskwireStorage
        let relay: any Relay
        let writer: OutputWriter
        let logger: Logger
    }

    /// Runs a host until its input ends or it is told to exit, then exits the process: protects stdout, opens the
    /// store and the relay, serves the connection with the handler `surface` builds, and ends within two seconds.
    func run(framing: Framing?, surface: (Parts) -> (handler: any CallHandler, server: Server)) throws -> Never {
        // Before anything else: only the signal thread below may receive SIGTERM and SIGINT, and the protocol
        // stream gets a descriptor of its own, with fd 1 pointed at stderr so that a careless print() cannot
        // break the connection stream.
        let signals = Signals.blockTermination()
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        keepFreedHeapMemory()
        // Before any connection opens, while this is the only thread.
        _ = taskwire_sqlite_disable_memory_status()
        let protocolFD = ProtocolStream.claimStdout()
        guard protocolFD >= 0 else { throw ExitCode.failure }

        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel ?? environment["TASKWIRE_LOG"] ?? "warning") ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "taskwire")

        let store: any TaskwireStorage
        do {
            store = try database.open(logger: logger)
        } catch {
            logger.critical("cannot open the database: \(error)")
            throw ExitCode.failure
        }
        let relay: any Relay
        if let url = redis ?? environment["TASKWIRE_REDIS_URL"], !url.isEmpty {
            do {
                relay = RedisRelay(url: try RedisURL(parsing: url), namespace: store.databaseID, logger: logger)
            } catch {
                logger.critical("invalid Redis URL: \(error)")
                throw ExitCode.failure
            }
        } else {
            relay = LocalRelay(kind: store.kind == .postgres ? .postgres : .local)
        }
        let writer = OutputWriter(fd: protocolFD)
        writer.start()
        let (handler, host) = surface(
            Parts(
                configuration: ServerConfiguration(
                    maxMessageBytes: maxMessageBytes,
                    environmentToken: environment["TASKWIRE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                    version: Taskwire.version
                ),
                store: store,
                relay: relay,
                writer: writer,
                logger: logger
            )
        )
        host.start()
        signals.onTermination {
            finish(host: host, store: store, relay: relay, writer: writer, code: 0, waitForCalls: true)
        }

        let connection = Connection(
            input: STDIN_FILENO,
            writer: writer,
            maxMessageBytes: maxMessageBytes,
            framing: framing,
            handler: handler
        )
        connection.run()
        let code: Int32 = host.exitRequested && !host.shutdownRequested ? 1 : 0
        finish(host: host, store: store, relay: relay, writer: writer, code: code, waitForCalls: false)
    }
}

/// Ends the process: leaves the rooms, flushes the output and exits, all within the two seconds that Protocol/openrpc.json gives an ending.
/// Keeps up to 2 MiB of freed memory at the top of the heap instead of giving it back to the kernel at once, and
/// grows the heap by 512 KiB at a time. With glibc's defaults (128 KiB each), every write transaction shrank the
/// heap when it freed SQLite's statement and savepoint buffers and grew it again for the next one: four `brk` calls
/// and the page faults of memory touched anew on each `task.update` one at a time, about a fifth of its CPU time.
private func keepFreedHeapMemory() {
    #if canImport(Glibc)
    _ = mallopt(M_TRIM_THRESHOLD, 2 << 20)
    _ = mallopt(M_TOP_PAD, 512 << 10)
    #endif
}

private func finish(
    host: Server,
    store: any TaskwireStorage,
    relay: any Relay,
    writer: OutputWriter,
    code: Int32,
    waitForCalls: Bool
) -> Never {
    // Whatever blocks below (a database lock, a client that stops reading), the process is gone within 2 s.
    WorkerThread.start(name: "tw.watchdog") {
        // A timer is this thread's whole job.
        usleep(1_900_000)
        _exit(code)
    }
    if waitForCalls && !host.waitUntilIdle(milliseconds: 1500) {
        store.interrupt()
    }
    host.close()
    // The presence changes of leaving must reach the other hosts; the relay's threads end with the process.
    relay.flush(timeoutMilliseconds: 200)
    writer.drain(timeoutMilliseconds: 300)
    writer.stop(timeoutMilliseconds: 100)
    exit(code)
}
