import TaskwireFuzzSupport
import TaskwireProtocol
import TaskwireTransport

/// Feeds one input through everything a host does with bytes from a client before a method runs: line framing
/// (whole and in chunks whose size the input picks), JSON parsing, the JSON-RPC envelope rules, the by-name params
/// reader, and writing the reply. Any crash, hang or broken invariant is a finding.
enum FramingFuzz {
    static func run(_ input: UnsafeRawBufferPointer) {
        let limit = 64 + Int(input.first ?? 0) * 16
        let chunk = 1 + Int(input.last ?? 0) % 64
        var whole: [[UInt8]?] = []
        var framer = LineFramer(maxLineBytes: limit)
        framer.push(input) { whole.append(frame($0)) }
        framer.finish { whole.append(frame($0)) }

        var chunked: [[UInt8]?] = []
        var again = LineFramer(maxLineBytes: limit)
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunk, input.count)
            again.push(UnsafeRawBufferPointer(rebasing: input[offset..<end])) { chunked.append(frame($0)) }
            offset = end
        }
        again.finish { chunked.append(frame($0)) }
        FuzzCheck.require(whole == chunked, "framing depends on how the input is chunked")
        FuzzCheck.require(
            headerFrames(input, chunk: input.count + 1, limit: limit)
                == headerFrames(input, chunk: chunk, limit: limit),
            "header framing depends on how the input is chunked"
        )

        for line in whole {
            guard let line else { continue }
            FuzzCheck.require(line.count <= limit, "a line over the limit was not refused")
            guard let value = try? JSONParser.parse(line) else { continue }
            let written = value.bytes
            FuzzCheck.require(!written.contains(0x0A), "written JSON contains a raw newline")
            FuzzCheck.require((try? JSONParser.parse(written)) == value, "writing and parsing again changes the value")
            let elements: [JSON]
            if case .array(let batch) = value { elements = batch } else { elements = [value] }
            for element in elements {
                switch Envelope.decode(element) {
                case .invalid(let id, let error):
                    FuzzCheck.require(error.code == .invalidRequest, "an envelope error other than -32600")
                    _ = Outgoing.response(id: id, error: error).bytes
                case .response(let id):
                    FuzzCheck.require(element["method"] == nil, "a request taken for a response")
                    _ = Outgoing.response(id: id, error: .invalidRequest("method must be a string")).bytes
                case .call(let call):
                    _ = try? ParamReader(call.params, allowed: ["id", "title", "projectId"]).optionalString("title")
                    _ = Outgoing.response(id: call.id ?? .null, result: .object(call.params)).bytes
                }
            }
        }
    }

    /// What the LSP-style framer makes of the input, fed in chunks of `chunk` bytes; no message exceeds the limit.
    private static func headerFrames(_ input: UnsafeRawBufferPointer, chunk: Int, limit: Int) -> [[UInt8]?] {
        var frames: [[UInt8]?] = []
        var framer = HeaderFramer(maxMessageBytes: limit)
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunk, input.count)
            framer.push(UnsafeRawBufferPointer(rebasing: input[offset..<end])) { frames.append(frame($0)) }
            offset = end
        }
        framer.finish { frames.append(frame($0)) }
        for case let message? in frames { FuzzCheck.require(message.count <= limit, "a message over the limit") }
        return frames
    }

    private static func frame(_ frame: Frame) -> [UInt8]? {
        switch frame {
        case .line(let bytes): Array(bytes)
        case .oversized, .malformed: nil
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FramingFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The executable's entry point under libFuzzer: hand the command line to libFuzzer's driver.
@_cdecl("taskwire_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzOneInput)
}
#else
/// Without libFuzzer, the same checks run over every file of the corpus folders given on the command line.
@main
enum CorpusReplay {
    static func main() {
        FuzzCorpus.replay(CommandLine.arguments.dropFirst()) { FramingFuzz.run($0) }
    }
}
#endif
