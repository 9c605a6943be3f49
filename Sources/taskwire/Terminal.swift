import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// The controlling terminal, taken over for a full-screen view: raw input, the alternate screen, no cursor.
///
/// - Important: ``restore()`` gives the terminal back as it was; call it however the view ends. It may be called
///   from any thread and more than once; after it, ``write(_:)`` writes nothing, so that a frame drawn late cannot
///   land on the user's shell.
final class Terminal: Sendable {
    private struct State {
        var saved: termios
        var restored = false
    }

    private let state: Locked<State>
    private let input: Int32
    private let output: Int32

    /// The sequences that enter the alternate screen, hide the cursor and turn off line wrapping; and undo them.
    private static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[H\u{1B}[2J"
    private static let leave = "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    /// Takes over the terminal of `input` and `output`; throws when `input` is not a terminal.
    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws(TerminalError) {
        var saved = termios()
        guard isatty(input) != 0, isatty(output) != 0, tcgetattr(input, &saved) == 0 else {
            throw TerminalError(description: "the board needs a terminal on stdin and stdout")
        }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            throw TerminalError(description: "cannot put the terminal in raw mode")
        }
        self.input = input
        self.output = output
        state = Locked(State(saved: saved))
        write(Array(Self.enter.utf8))
    }

    /// The terminal's size in columns and rows (80×24 when it does not say).
    var size: (width: Int, height: Int) {
        var window = winsize()
        guard ioctl(output, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 else {
            return (80, 24)
        }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// Writes all of `bytes`, unless the terminal was restored.
    func write(_ bytes: [UInt8]) {
        state.withLock { state in
            guard !state.restored else { return }
            Self.writeAll(bytes, to: output)
        }
    }

    /// Leaves the alternate screen, shows the cursor and puts back the terminal's settings; once.
    func restore() {
        state.withLock { state in
            guard !state.restored else { return }
            state.restored = true
            Self.writeAll(Array(Self.leave.utf8), to: output)
            tcsetattr(input, TCSAFLUSH, &state.saved)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

/// The terminal cannot be taken over.
struct TerminalError: Error, CustomStringConvertible {
    var description: String
}
