import TaskwireProtocol
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers every call with `{}` after printing to stdout, which must end up on stderr.
final class StrayPrintHandler: CallHandler {
    func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError> {
        print("stray output from a handler")
        return .success([:])
    }
}

signal(SIGPIPE, SIG_IGN)
let protocolFD = ProtocolStream.claimStdout()
guard protocolFD >= 0 else { exit(1) }
let writer = OutputWriter(fd: protocolFD)
writer.start()
let connection = Connection(
    input: STDIN_FILENO,
    writer: writer,
    maxMessageBytes: Limits.defaultMaxMessageBytes,
    handler: StrayPrintHandler()
)
connection.run()
fflush(nil)
writer.drain(timeoutMilliseconds: 2000)
exit(0)
