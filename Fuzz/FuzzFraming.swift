import TaskwireProtocol
import TaskwireTransport

#if canImport(Glibc)
import Glibc
#endif

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
        check(whole == chunked, "framing depends on how the input is chunked")

        for line in whole {
            guard let line else { continue }
            check(line.count <= limit, "a line over the limit was not refused")
            guard let value = try? JSONParser.parse(line) else { continue }
            let written = value.bytes
            check(!written.contains(0x0A), "written JSON contains a raw newline")
            check((try? JSONParser.parse(written)) == value, "writing and parsing again changes the value")
            let elements: [JSON]
            if case .array(let batch) = value { elements = batch } else { elements = [value] }
            for element in elements {
                switch Envelope.decode(element) {
                case .invalid(let id, let error):
                    check(error.code == .invalidRequest, "an envelope error other than -32600")
                    _ = Outgoing.response(id: id, error: error).bytes
                case .call(let call):
                    _ = try? ParamReader(call.params, allowed: ["id", "title", "projectId"]).optionalString("title")
                    _ = Outgoing.response(id: call.id ?? .null, result: .object(call.params)).bytes
                }
            }
        }
    }

    private static func frame(_ frame: Frame) -> [UInt8]? {
        switch frame {
        case .line(let bytes): Array(bytes)
        case .oversized: nil
        }
    }

    private static func check(_ condition: Bool, _ message: String) {
        guard !condition else { return }
        let text = Array("fuzz invariant broken: \(message)\n".utf8)
        _ = text.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        abort()
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FramingFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ target: FuzzTarget
) -> CInt

/// The executable's entry point under libFuzzer: hand the command line to libFuzzer's driver.
@_cdecl("taskwire_fuzz_main")
public func fuzzMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
/// Without libFuzzer, the same checks run over every file of the corpus folders given on the command line.
@main
enum CorpusReplay {
    static func main() {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            for file in files(at: path) {
                guard let bytes = read(file) else { continue }
                bytes.withUnsafeBytes { FramingFuzz.run($0) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }

    static func files(at path: String) -> [String] {
        guard let directory = opendir(path) else { return [path] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return bytes
    }
}
#endif
