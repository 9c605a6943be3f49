#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts child processes: hosts, `taskwire admin`, `redis-server`, benchmark hosts. The one place that calls
/// `posix_spawn`.
///
/// Every descriptor it creates is close-on-exec, so children started concurrently never hold each other's pipes
/// open; the child starts with no signal blocked and every signal at its default disposition, whatever the parent
/// did with them (test runners block signals on their threads; hosts ignore SIGPIPE).
public enum ProcessSpawner {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// A fresh pipe; the parent gets the other end.
        case pipe
        /// `/dev/null`.
        case null
        /// A file, created if needed and appended to.
        case appending(to: String)
    }

    /// A started child and the parent's ends of its pipes (nil for streams that are not pipes).
    public struct Spawned: Sendable {
        public var pid: Int32
        public var stdin: Int32?
        public var stdout: Int32?
        public var stderr: Int32?
    }

    public static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        stdin: Stream = .pipe,
        stdout: Stream = .pipe,
        stderr: Stream = .pipe
    ) throws(ProcessError) -> Spawned {
        guard access(executable, X_OK) == 0 else {
            throw ProcessError(description: "\(executable) is not an executable file")
        }
        var actions = makeFileActions()
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        var parentEnds: [Int32?] = []
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .pipe:
                let pipe: (read: Int32, write: Int32)
                do {
                    pipe = try makePipe()
                } catch {
                    for descriptor in childEnds + parentEnds.compactMap({ $0 }) { close(descriptor) }
                    throw error
                }
                let (child, parent) = target == 0 ? (pipe.read, pipe.write) : (pipe.write, pipe.read)
                posix_spawn_file_actions_adddup2(&actions, child, target)
                childEnds.append(child)
                parentEnds.append(parent)
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                parentEnds.append(nil)
            case .appending(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                parentEnds.append(nil)
            }
        }
        #if canImport(Glibc)
        _ = GlibcExtensions.addCloseFrom?(&actions, 3)
        #endif

        var attributes = makeAttributes()
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #if canImport(Darwin)
        flags |= POSIX_SPAWN_CLOEXEC_DEFAULT
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        var pid: Int32 = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for descriptor in childEnds { close(descriptor) }
        guard status == 0 else {
            for descriptor in parentEnds.compactMap({ $0 }) { close(descriptor) }
            throw ProcessError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return Spawned(pid: pid, stdin: parentEnds[0], stdout: parentEnds[1], stderr: parentEnds[2])
    }

    /// Reaps `pid` if it has ended (waiting for it when `blocking`); nil while it runs.
    public static func reap(_ pid: Int32, blocking: Bool) -> ProcessTermination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == -1, errno == EINTR { continue }
            guard result == pid else { return nil }
            let signal = status & 0x7F
            return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        }
    }

    private static func makePipe() throws(ProcessError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let status = GlibcExtensions.pipe2(&descriptors, O_CLOEXEC)
        #else
        let status = pipe(&descriptors)
        if status == 0 {
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
        #endif
        guard status == 0 else {
            throw ProcessError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (descriptors[0], descriptors[1])
    }

    #if canImport(Glibc)
    private static func makeFileActions() -> posix_spawn_file_actions_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        return actions
    }

    private static func makeAttributes() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        return attributes
    }
    #else
    private static func makeFileActions() -> posix_spawn_file_actions_t? {
        var actions: posix_spawn_file_actions_t?
        posix_spawn_file_actions_init(&actions)
        return actions
    }

    private static func makeAttributes() -> posix_spawnattr_t? {
        var attributes: posix_spawnattr_t?
        posix_spawnattr_init(&attributes)
        return attributes
    }
    #endif
}

/// How a child process ended.
public enum ProcessTermination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The exit code, or 128 plus the signal number as a shell reports it.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal): "killed by \(ProcessSignal.name(of: signal))"
        }
    }
}

/// A signal that can be sent to a child.
public enum ProcessSignal: String, Sendable, CaseIterable {
    case term = "TERM"
    case int = "INT"
    case kill = "KILL"
    case stop = "STOP"
    case cont = "CONT"
    case hup = "HUP"

    /// The signal number.
    public var number: Int32 {
        switch self {
        case .term: SIGTERM
        case .int: SIGINT
        case .kill: SIGKILL
        case .stop: SIGSTOP
        case .cont: SIGCONT
        case .hup: SIGHUP
        }
    }

    /// The conventional name of a signal number, such as `SIGTERM`, for reports.
    public static func name(of number: Int32) -> String {
        if let signal = allCases.first(where: { $0.number == number }) { return "SIG\(signal.rawValue)" }
        let crashes: [Int32: String] = [
            SIGABRT: "SIGABRT", SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGFPE: "SIGFPE", SIGPIPE: "SIGPIPE",
        ]
        return crashes[number] ?? "signal \(number)"
    }

    /// Sends the signal to `pid`.
    public func send(to pid: Int32) {
        sendSignal(number, to: pid)
    }
}

/// Why a child process could not be started or driven.
public struct ProcessError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

#if canImport(Glibc)
/// GNU functions that Swift's Glibc module does not import (they need `_GNU_SOURCE`), looked up at run time.
private enum GlibcExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `pipe2`, which creates both ends close-on-exec at once: no other thread's spawn can inherit them.
    static let pipe2: Pipe2 = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pipe2") else { fatalError("glibc without pipe2") }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later).
    static let addCloseFrom: AddCloseFrom? = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
}
#endif

/// `kill(2)`, under a name that `ProcessSignal.kill` does not shadow.
private func sendSignal(_ signal: Int32, to pid: Int32) {
    _ = kill(pid, signal)
}
