#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The descriptor that carries the protocol, kept apart from the process's standard output.
public enum ProtocolStream {
    /// Takes stdout for the protocol and points fd 1 at stderr; returns the protocol's descriptor, or -1 on failure.
    ///
    /// Anything in the process may write to fd 1: a `print()` left in a handler, a library that logs to stdout.
    /// One such line in the middle of the stream would break the client's framing, so the protocol gets a
    /// duplicate of stdout that only the ``OutputWriter`` knows about, and fd 1 becomes a second name for stderr,
    /// where stray output is harmless. The duplicate is close-on-exec, so a child process started later cannot
    /// hold the client's stream open.
    ///
    /// - Important: Call it once, at start, before any thread could write to stdout.
    public static func claimStdout() -> Int32 {
        let protocolFD = dup(STDOUT_FILENO)
        guard protocolFD >= 0 else { return -1 }
        _ = fcntl(protocolFD, F_SETFD, FD_CLOEXEC)
        guard dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            close(protocolFD)
            return -1
        }
        return protocolFD
    }
}
