import Dispatch
import TaskwireProtocol
import TaskwireSync
import TaskwireTransport
import Testing

/// A room notification of exactly `size` bytes that says which room and `seq` it belongs to.
private func event(_ room: String, _ seq: Int64, size: Int = 1000) -> [UInt8] {
    let head = #"{"room":"\#(room)","seq":\#(seq),"pad":""#
    let padding = size - head.utf8.count - 2
    precondition(padding >= 0, "event too small")
    return Array((head + String(repeating: ".", count: padding) + #""}"#).utf8)
}

/// A message large enough that the writer thread stays blocked writing it to a pipe nobody reads.
private let blocker: [UInt8] = Array((#"{"blocker":""# + String(repeating: "b", count: 1 << 20) + #""}"#).utf8)

/// The room and seq of an event line, or nil for any other line.
private func roomAndSeq(_ line: [UInt8]) -> String? {
    guard let value = try? JSONParser.parse(line), let room = value["room"]?.stringValue,
        let seq = value["seq"]?.int64Value
    else { return nil }
    return "\(room)\(seq)"
}

/// Reads lines until one satisfies `matches`, returning the lines before it; records an issue on a timeout.
private func readLines(
    from pipe: TestPipe,
    until matches: ([UInt8]) -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    while let line = pipe.nextLine() {
        if matches(line) { return lines }
        lines.append(line)
    }
    Issue.record("the expected line never arrived", sourceLocation: sourceLocation)
    return lines
}

@Suite struct OutputWriterTests {
    /// A message queued while another thread writes goes out once that write is done, even while a third thread
    /// holds a cork for a long time (a long transaction on the reading thread, a read of the event log).
    @Test func aMessageQueuedDuringAnotherWriteIsNotHeldBehindACork() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd)
        writer.start()
        defer { writer.stop(timeoutMilliseconds: 1000) }
        // A chunk larger than the pipe: the writer thread stays in that write until the test reads.
        let blocking = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            writer.cork()
            writer.send(bytes: blocker)
            blocking.signal()
            writer.uncork(mayBlock: true)
        }
        blocking.wait()
        #expect(pipe.readSome(timeoutMilliseconds: 5000))
        // Another thread holds a cork from now on.
        writer.cork()
        // A third queues a message; it cannot write it now, since the first is still writing.
        writer.cork()
        writer.send(bytes: Array(#"{"after":1}"#.utf8))
        writer.uncork(mayBlock: false)
        let lines = readLines(from: pipe) { $0 == Array(#"{"after":1}"#.utf8) }
        #expect(lines.count == 1)
        writer.uncork(mayBlock: false)
    }

    /// The replies to a pipelined read can be more than a pipe holds: the thread that queued them goes on (to read
    /// and handle the next requests) while the writer thread waits for the client, and they arrive whole and in order.
    @Test func uncorkLeavesMoreThanAPipeHoldsToTheWriterThread() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd)
        writer.start()
        defer { writer.stop(timeoutMilliseconds: 1000) }
        let returned = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            writer.cork()
            // 200 KiB, under the cork's own limit: nothing goes out before the uncork.
            for seq in 1...200 { writer.send(bytes: event("r", Int64(seq), size: 1024)) }
            writer.uncork(mayBlock: true)
            returned.signal()
        }
        // Nothing is read until the uncork returned (or, when it waits for the client, long after).
        let waitedForTheClient = returned.wait(timeout: .now() + 20) == .timedOut
        #expect(!waitedForTheClient, "the uncork waited until the client read")
        let lines = readLines(from: pipe) { roomAndSeq($0) == "r200" }
        #expect(lines.compactMap(roomAndSeq) == (1..<200).map { "r\($0)" })
        if waitedForTheClient { returned.wait() }
    }

    @Test func concurrentSendersNeverInterleaveLines() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd)
        writer.start()
        let threads = 8
        let perThread = 200
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for number in 0..<perThread {
                // Sizes vary up to several pipe buffers, so that writes are split and batched every way.
                let size = [10, 100, 1000, 5000, 10, 100, 300, 70_000][number % 8]
                let message: JSON = [
                    "thread": .int(thread), "n": .int(number), "pad": .string(String(repeating: "x", count: size)),
                    "text": "line\nbreak \"quoted\" \u{1}",
                ]
                if number % 3 == 0 {
                    writer.send(bytes: message.bytes)
                } else {
                    writer.send(message)
                }
            }
        }
        var next = [Int](repeating: 0, count: threads)
        for _ in 0..<(threads * perThread) {
            guard let line = pipe.nextLine(timeoutMilliseconds: 10_000) else {
                Issue.record("output ended early")
                return
            }
            guard let value = try? JSONParser.parse(line), let thread = value["thread"]?.int64Value,
                let number = value["n"]?.int64Value
            else {
                Issue.record("a line is not a whole message: \(String(decoding: line.prefix(120), as: UTF8.self))")
                return
            }
            #expect(value["text"] == "line\nbreak \"quoted\" \u{1}")
            #expect(Int(number) == next[Int(thread)], "messages of one thread must keep their order")
            next[Int(thread)] = Int(number) + 1
        }
        #expect(next == [Int](repeating: perThread, count: threads))
        #expect(writer.drain(timeoutMilliseconds: 5000))
        #expect(pipe.bufferedCount == 0)
        #expect(!writer.isBroken)
    }

    @Test func droppableMessagesAreRefusedPastTheLimitWhenTheReaderStops() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd, droppableLimit: 4096)
        writer.start()
        writer.send(bytes: blocker)
        // The writer thread has taken the blocker and stays in its write: what is queued from now on stays queued.
        // (Without this, a writer thread that starts late takes the droppable messages below along with it.)
        #expect(pipe.readSome(timeoutMilliseconds: 5000))
        var refused = false
        for seq in 1...10_000 where !writer.send(droppable: event("r", Int64(seq)), tag: UInt64(seq)) {
            refused = true
            break
        }
        #expect(refused, "the writer kept queueing droppable messages for a reader that does not read")
        // Refusing queues nothing, so it keeps refusing; plain messages are not bound by the limit.
        #expect(!writer.send(droppable: event("r", 99_999), tag: 99_999))
        writer.send(bytes: event("plain", 1, size: 10_000))
        // Once the queued droppable lines are taken back there is space again, and a lone one may exceed the limit.
        #expect(writer.dropQueued { _ in true } > 0)
        #expect(writer.send(droppable: event("big", 1, size: 10_000), tag: 1))
        let wait = writer.waitForDroppableSpace(10, untilNanoseconds: 0)
        #expect(!wait.fits, "a queue holding 10 KB of droppable messages has no space for more")
        #expect(!writer.isBroken)
    }

    /// Tags are opaque to the writer: here each names a room and a seq, as the server's do.
    @Test func dropQueuedTakesBackOnlyWhatThePredicateNamesAndTakenTagsAreReportedInOrder() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd, droppableLimit: 4096)
        let names: [UInt64: String] = [1: "A1", 2: "B1", 3: "A2", 4: "B2", 5: "A3", 6: "A4", 7: "C1"]
        let taken = Locked<[String]>([])
        writer.observeTaken { tags in taken.withLock { $0 += tags.map { names[$0]! } } }
        writer.start()
        #expect(writer.send(droppable: event("A", 1), tag: 1))
        #expect(writer.send(droppable: event("B", 1), tag: 2))
        writer.send(bytes: blocker)
        // Seeing A1 and B1 and the start of the blocker on the pipe proves the writer took all three; it then
        // stays blocked in the blocker, so everything sent below waits in the queue.
        let first = readLines(from: pipe) { roomAndSeq($0) == "B1" }
        #expect(first.compactMap(roomAndSeq) == ["A1"])
        while pipe.bufferedCount == 0 {
            guard pipe.readSome(timeoutMilliseconds: 5000) else {
                Issue.record("the blocker never started")
                return
            }
        }
        #expect(taken.withLock { $0 } == ["A1", "B1"])

        #expect(writer.send(droppable: event("A", 2), tag: 3))
        writer.send(["reply": 1])
        #expect(writer.send(droppable: event("B", 2), tag: 4))
        #expect(writer.send(droppable: event("A", 3), tag: 5))
        #expect(writer.send(droppable: event("A", 4), tag: 6))
        #expect(!writer.send(droppable: event("C", 1), tag: 7), "four messages of 1001 bytes fill 4096")

        #expect(writer.dropQueued { names[$0]!.hasPrefix("A") } == 3)
        #expect(writer.dropQueued { names[$0]!.hasPrefix("A") } == 0, "nothing of A is queued any more")
        #expect(writer.send(droppable: event("C", 1), tag: 7), "dropping A made space")
        writer.send(["reply": 2])

        _ = readLines(from: pipe) { $0.starts(with: Array(#"{"blocker""#.utf8)) }
        var rest: [String] = []
        while rest.count < 4, let line = pipe.nextLine() {
            rest.append(roomAndSeq(line) ?? String(decoding: line, as: UTF8.self))
        }
        #expect(rest == [#"{"reply":1}"#, "B2", "C1", #"{"reply":2}"#])
        #expect(writer.drain(timeoutMilliseconds: 5000))
        #expect(taken.withLock { $0 } == ["A1", "B1", "B2", "C1"], "dropped messages are never reported taken")
        writer.stop(timeoutMilliseconds: 2000)
    }

    @Test func writerReportsABrokenStream() {
        let pipe = TestPipe()
        let writer = OutputWriter(fd: pipe.writeEnd)
        writer.start()
        writer.send(["before": true])
        #expect(pipe.nextJSON() == ["before": true])
        pipe.closeReadEnd()
        writer.send(bytes: blocker)
        #expect(writer.drain(timeoutMilliseconds: 5000), "drain must not wait for a reader that is gone")
        #expect(writer.isBroken)
        writer.waitForSpace()
    }
}
