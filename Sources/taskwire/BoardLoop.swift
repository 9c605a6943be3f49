import TaskwireBoard
import TaskwireClient
import TaskwireProtocol
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// The board's main loop: one thread that owns the board, the screen and the terminal. It waits on the keyboard
/// and on the inbox (room notifications, resizes, the end of the host), applies what came, and draws the frame
/// once per wake-up. Nothing is ever fetched again from the host to stay current: the room's events do that.
final class BoardLoop {
    enum Ending {
        case quit
        case failed(String)
    }

    /// How long a lone ESC waits for the rest of an escape sequence before it counts as the Escape key.
    private static let escapeDelayMilliseconds: Int32 = 40

    private let host: TaskwireConnection
    private let terminal: Terminal
    private let inbox: BoardInbox
    private var board: Board
    private var screen = BoardScreen()
    private var decoder = KeyDecoder()
    private var writer = FrameWriter()
    private var size: (width: Int, height: Int)
    /// Set by the signal thread as it ends the process, so that the host's end that follows is not a failure.
    private let terminating = Locked(false)

    init(host: TaskwireConnection, board: Board, signals: Signals) throws(TerminalError) {
        self.host = host
        self.board = board
        inbox = try BoardInbox()
        terminal = try Terminal()
        size = terminal.size
        let terminal = self.terminal
        let inbox = self.inbox
        let terminating = self.terminating
        signals.onEach { signal in
            guard signal != SIGWINCH else {
                inbox.post(.resize)
                return
            }
            // SIGINT, SIGTERM, SIGHUP: give the terminal back, let the host leave the room, and end.
            terminating.withLock { $0 = true }
            terminal.restore()
            host.close(timeout: .seconds(2))
            exit(0)
        }
        WorkerThread.start(name: "tw.board.events") {
            while true {
                if let message = host.nextNotification(timeout: .seconds(3600)) {
                    inbox.post(.notification(message))
                } else if host.isClosed {
                    inbox.post(.hostEnded)
                    return
                }
            }
        }
    }

    deinit {
        terminal.restore()
    }

    /// Runs until the user quits or the host ends; the terminal is restored on return.
    func run() -> Ending {
        defer { terminal.restore() }
        draw()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0))
            let ready = poll(&fds, 2, decoder.hasPending ? Self.escapeDelayMilliseconds : -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed("cannot wait for input (errno \(errno))")
            }
            var keys: [Key] = []
            if ready == 0 { keys = decoder.flush() }
            if fds[0].revents != 0 {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count <= 0 && !(count < 0 && errno == EINTR) { return .failed("the terminal closed") }
                if count > 0 { keys += decoder.feed(buffer[..<count]) }
            }
            for key in keys {
                if let ending = perform(screen.handle(key, board: board, width: size.width, height: size.height)) {
                    return ending
                }
            }
            if fds[1].revents != 0, let ending = receive(inbox.take()) { return ending }
            draw()
        }
    }

    /// Draws the current frame: only the rows that changed, in one write.
    private func draw() {
        screen.settle(board: board, height: size.height)
        let frame = BoardLayout.frame(board: board, screen: screen, width: size.width, height: size.height)
        let bytes = writer.update(to: frame)
        if !bytes.isEmpty { terminal.write(bytes) }
    }

    /// Applies what the inbox held; an ending when the host is gone.
    private func receive(_ items: [BoardInbox.Item]) -> Ending? {
        for item in items {
            switch item {
            case .notification(let message):
                guard let method = message.method else { continue }
                switch board.apply(method: method, params: message.params) {
                case .changed: screen.apply(method: method, params: message.params)
                case .rejoin(let since): rejoin(since: since)
                case .unchanged: break
                }
            case .resize:
                size = terminal.size
                writer.invalidate()
            case .hostEnded:
                if terminating.withLock({ $0 }) { return .quit }
                return .failed("the host ended: \(host.process.stderrTail(lines: 3))")
            }
        }
        return nil
    }

    /// Carries out what a key asked for; an ending when it was to quit.
    private func perform(_ action: BoardAction) -> Ending? {
        switch action {
        case .none:
            return nil
        case .quit:
            return .quit
        case .openCard(let taskID):
            do {
                screen.show(CardDetail(taskID: taskID, comments: try comments(of: taskID)))
            } catch let error as TaskwireError {
                screen.message =
                    error.code == -32004 ? "That card no longer exists." : "Cannot open the card: \(error.message)"
            } catch {
                return .failed("\(error)")
            }
        case .search(let query):
            do {
                let result = try host.call(
                    "task.search",
                    ["query": .string(query), "projectId": .string(board.projectID)]
                )
                screen.show(results: SearchResults(query: query, response: result))
            } catch let error as TaskwireError {
                screen.mode = .board
                screen.message =
                    error.code == -32601 ? "Search is not available on this host." : "Search: \(error.message)"
            } catch {
                return .failed("\(error)")
            }
        }
        return nil
    }

    /// Every comment of a task, oldest first.
    private func comments(of taskID: String) throws -> [JSON] {
        var comments: [JSON] = []
        var cursor: JSON = .null
        while true {
            var params: JSONObject = ["taskId": .string(taskID), "limit": 500]
            if !cursor.isNull { params["cursor"] = cursor }
            let page = try host.call("comment.list", params)
            comments += page["comments"]?.arrayValue ?? []
            cursor = page["nextCursor"] ?? .null
            if cursor.isNull { return comments }
        }
    }

    /// Joins the room again after the host took the session out (`project.resync`); the events since the last
    /// one applied are replayed, and the board skips any it has.
    private func rejoin(since: Int64) {
        do {
            let joined = try host.join(projectID: board.projectID, since: since)
            board.rejoined(presence: joined.presence)
        } catch {
            screen.message = "Lost the room and could not join it again; q quits."
        }
    }
}
