import TaskwireClient
import TaskwireTestSupport
import Testing

/// `ChildProcess` against `/bin/sh`, so that it is checked without the `taskwire` binary.
@Suite struct ChildProcessTests {
    private func shell(_ script: String, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(executable: "/bin/sh", arguments: ["-c", script], environment: environment)
    }

    /// Lines are split by the host's own framer: `\n` or `\r\n` ends a line.
    @Test func splitsStdoutIntoLinesAndKeepsAnUnterminatedTail() throws {
        let process = try shell("printf 'one\\ntw'; sleep 0.1; printf 'o\\r\\n\\nthree'")
        #expect(process.nextLine(timeout: .seconds(5)) == Array("one".utf8))
        #expect(process.nextLine(timeout: .seconds(5)) == Array("two".utf8))
        #expect(process.nextLine(timeout: .seconds(5)) == [])
        #expect(process.nextLine(timeout: .seconds(5)) == nil)
        #expect(process.waitForExit(timeout: .seconds(5)) == 0)
        process.waitForOutputEnd(timeout: .seconds(5))
        #expect(process.unterminatedOutput == Array("three".utf8))
    }

    @Test func echoesStdinUntilItIsClosed() throws {
        let process = try ChildProcess(executable: "/bin/cat", arguments: [])
        process.send("hello\n")
        #expect(process.nextLine(timeout: .seconds(5)) == Array("hello".utf8))
        process.send(Array(repeating: UInt8(ascii: "x"), count: 1 << 20) + [UInt8(ascii: "\n")])
        #expect(process.nextLine(timeout: .seconds(10))?.count == 1 << 20)
        process.closeStdin()
        #expect(process.waitForExit(timeout: .seconds(5)) == 0)
        // The exit can be seen before the reader thread has read the end of stdout.
        #expect(process.waitForOutputEnd(timeout: .seconds(5)))
        #expect(process.isStdoutClosed)
    }

    @Test func reportsExitCodesSignalsAndStderr() throws {
        let failing = try shell("echo oops >&2; exit 3")
        #expect(failing.waitForTermination(timeout: .seconds(5)) == .exited(3))
        failing.waitForOutputEnd(timeout: .seconds(5))
        #expect(failing.stderrText == "oops\n")
        #expect(failing.stderrTail(lines: 1) == "oops")

        let sleeping = try shell("exec sleep 30")
        #expect(sleeping.waitForExit(timeout: .milliseconds(100)) == nil)
        sleeping.signal(.term)
        let termination = sleeping.waitForTermination(timeout: .seconds(5))
        #expect(termination == .signaled(ProcessSignal.term.number))
        #expect(termination?.code == 128 + ProcessSignal.term.number)
    }

    @Test func usesTheGivenEnvironment() throws {
        let process = try shell("echo \"$TASKWIRE_TEST_VALUE:$HOME\"", environment: ["TASKWIRE_TEST_VALUE": "set"])
        #expect(process.nextLine(timeout: .seconds(5)) == Array("set:".utf8))
    }

    @Test func writingToAnExitedProcessFailsWithoutCrashing() throws {
        let process = try shell("exit 0")
        #expect(process.waitForExit(timeout: .seconds(5)) == 0)
        process.send("late\n")
        process.waitUntilWritten(timeout: .seconds(5))
        #expect(process.writeError != nil)
    }

    @Test func failsClearlyForAMissingExecutable() {
        #expect(throws: ProcessError.self) {
            try ChildProcess(executable: "/nonexistent/taskwire", arguments: [])
        }
    }
}
