#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a child process with its standard streams connected to fresh pipes.
enum ChildSpawner {
    /// A started child and the parent's ends of its pipes.
    struct Spawned {
        var pid: pid_t
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
    }

    /// Signals whose disposition the child gets back to the default, whatever the test process did with them.
    private static let defaultedSignals: [Int32] = [
        SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM,
    ]

    static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String]
    ) throws(HostProcessError) -> Spawned {
        guard access(executable, X_OK) == 0 else {
            throw HostProcessError(description: "\(executable) is not an executable file")
        }
        // Every descriptor is close-on-exec, so hosts started concurrently never hold each other's pipes open;
        // dup2 onto 0, 1 and 2 clears the flag for the child's own streams.
        let input = try makePipe()
        let output = try makePipe()
        let errors = try makePipe()

        var actions = makeFileActions()
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        #if canImport(Glibc)
        _ = GlibcExtensions.addCloseFrom?(&actions, 3)
        #endif

        var attributes = makeAttributes()
        defer { posix_spawnattr_destroy(&attributes) }
        // Test runners may block signals on their worker threads; the host must start with none blocked.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in defaultedSignals { sigaddset(&defaulted, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
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

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for descriptor in [input.read, output.write, errors.write] { close(descriptor) }
        guard status == 0 else {
            for descriptor in [input.write, output.read, errors.read] { close(descriptor) }
            throw HostProcessError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return Spawned(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    }

    private static func makePipe() throws(HostProcessError) -> (read: Int32, write: Int32) {
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
            throw HostProcessError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
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

    /// Sends `signal` to `pid`.
    static func send(_ signal: Int32, to pid: pid_t) {
        _ = kill(pid, signal)
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
