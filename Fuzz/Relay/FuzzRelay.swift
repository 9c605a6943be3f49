import TaskwireCrypto
import TaskwireFuzzSupport
import TaskwireProtocol
import TaskwireRelay

/// Feeds one input to the relay message decoder and verifier, as a message off the channel would reach it. The
/// first byte picks how the rest is used:
/// - 0: the rest is a whole message, forged or replayed (the corpus holds real ones sealed with ``key``);
/// - 1: the rest is a body, sealed with the right key as a host would: everything past the code is checked;
/// - 2: a real event message, with the rest of the input saying where to change it or cut it short.
///
/// Invariants: whatever opens is one JSON object without a raw line break, an event matches its header and seals
/// back to the same bytes; no change to a sealed message survives; a message sealed for another database never
/// opens.
enum RelayFuzz {
    /// The key and namespace the seed corpus (`Fixtures/relay-corpus`) was sealed with.
    static let key = SecretKey(bytes: [UInt8](repeating: 0x42, count: 32))
    static let codec = RelayCodec(key: key, namespace: "fuzz")
    static let otherDatabase = RelayCodec(key: key, namespace: "other")

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        switch mode % 3 {
        case 0:
            check(codec.open(rest), message: rest)
        case 1:
            let message = codec.seal(body: rest)
            check(codec.open(message), message: message)
            if case .success = otherDatabase.open(message) {
                FuzzCheck.require(false, "a message sealed for another database opened")
            }
        default:
            mutate(rest)
        }
    }

    private static func check(_ result: Result<RelayFrame, RelayRejection>, message: [UInt8]) {
        guard case .success(let frame) = result else { return }
        switch frame {
        case .event(let event):
            FuzzCheck.require(!event.payload.contains(0x0A) && !event.payload.contains(0x0D), "raw line break")
            let parsed = try? JSONParser.parse(event.payload)
            FuzzCheck.require(parsed?.objectValue != nil, "an event that is not a JSON object opened")
            FuzzCheck.require(parsed?["seq"]?.int64Value == event.seq, "seq differs from the header")
            FuzzCheck.require(parsed?["projectId"]?.stringValue == event.projectID, "project differs from the header")
            FuzzCheck.require(parsed?["type"]?.stringValue == event.type, "type differs from the header")
            FuzzCheck.require(EventType(rawValue: event.type) != nil, "unknown event type opened")
            FuzzCheck.require(codec.seal(event) == message, "an opened event does not seal back to its message")
        case .presence(let json):
            FuzzCheck.require(json.objectValue != nil, "a presence change that is not a JSON object opened")
            let written = json.bytes
            FuzzCheck.require(!written.contains(0x0A) && !written.contains(0x0D), "raw line break")
        }
    }

    /// A real message with one byte changed or its end cut off never opens.
    private static func mutate(_ plan: [UInt8]) {
        let event = CommittedEvent(
            projectID: "p_fuzz",
            seq: 7,
            type: "task.created",
            payload: Array(#"{"projectId":"p_fuzz","seq":7,"type":"task.created","data":{"task":{"title":"x"}}}"#.utf8)
        )
        var message = codec.seal(event)
        guard case .success = codec.open(message) else {
            return FuzzCheck.require(false, "a sealed event did not open")
        }
        guard plan.count >= 2 else { return }
        let position = (Int(plan[0]) << 8 | Int(plan[1])) % (message.count + 1)
        if plan.count == 2 || position == message.count {
            message.removeSubrange(min(position, message.count - 1)...)
        } else {
            let change = plan[2] == 0 ? 1 : plan[2]
            message[position] ^= change
        }
        if case .success = codec.open(message) {
            FuzzCheck.require(false, "a changed message opened")
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    RelayFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The executable's entry point under libFuzzer: hand the command line to libFuzzer's driver.
@_cdecl("taskwire_fuzz_relay_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOneInput)
}
#else
/// Without libFuzzer, the same checks run over every file of the corpus folders given on the command line.
@main
enum CorpusReplay {
    static func main() {
        FuzzCorpus.replay(CommandLine.arguments.dropFirst()) { RelayFuzz.run($0) }
    }
}
#endif
