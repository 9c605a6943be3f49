#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSON {
    /// Appends the compact JSON text of this value; the output never contains a raw line break.
    public func write(into out: inout [UInt8]) {
        JSON.withText(writing: { encode(into: &$0) }, then: { out.append(contentsOf: $0) })
    }

    /// The compact JSON text of this value as bytes.
    public var bytes: [UInt8] {
        JSON.withText(writing: { encode(into: &$0) }, then: JSON.array)
    }

    /// A copy of written text as an array, made in one pass (`Array(_:)` of a buffer goes element by element).
    private static func array(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: text.count) { buffer, initialized in
            if let target = buffer.baseAddress, let source = text.baseAddress {
                target.initialize(from: source, count: text.count)
            }
            initialized = text.count
        }
    }

    /// The compact JSON text of this value.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a JSON string literal, escaping quotes, backslashes and control characters.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        withText(writing: { appendString(text, to: &$0) }, then: { out.append(contentsOf: $0) })
    }

    /// Writes a text with `write` in one pass, into a buffer on the stack that moves to the heap only when a text
    /// outgrows it, and runs `body` on what was written. (Writing twice, the exact length first and then the
    /// bytes, cost as much again as the writing itself: every value visited and copied twice.)
    private static func withText<R>(
        writing write: (inout JSONBuffer) -> Void,
        then body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JSONBuffer.stackCapacity) { stack in
            var buffer = JSONBuffer(stack)
            defer { buffer.release() }
            write(&buffer)
            return body(buffer.written)
        }
    }

    /// Appends the compact text of this value.
    fileprivate func encode(into buffer: inout JSONBuffer) {
        switch self {
        case .null: buffer.append("null")
        case .bool(let value): buffer.append(value ? "true" : "false")
        case .number(let text): JSON.withUTF8(text) { buffer.append($0) }
        case .string(let text): JSON.appendString(text, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                element.encode(into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .encoded(let text):
            text.bytes.withUnsafeBufferPointer { buffer.append($0) }
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                JSON.appendString(member.key, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                member.value.encode(into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Runs `body` on the UTF-8 bytes of `text`, without a copy when the string stores them contiguously.
    @inline(__always)
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Whether a byte must be escaped in a string literal.
    @inline(__always)
    private static func mustEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The position of the first byte at or after `start` that must be escaped, or `count`; eight bytes at a time
    /// (``JSONWordScan``).
    @inline(__always)
    private static func firstEscaped(_ source: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var index = start
        while index + 8 <= count {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            if JSONWordScan.mustEscape(word) != 0 { break }
            index += 8
        }
        while index < count && !mustEscape(source[index]) { index += 1 }
        return index
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes compact JSON text with `write`, straight from the values it is given (see ``JSONTextWriter``).
    public static func text(_ write: (inout JSONTextWriter) -> Void) -> EncodedJSON {
        let bytes = withText(
            writing: { buffer in
                var writer = JSONTextWriter(buffer: buffer)
                write(&writer)
                writer.check()
                buffer = writer.buffer
            },
            then: JSON.array
        )
        return EncodedJSON(bytes: bytes)
    }

    /// Appends a string literal, escaping quotes, backslashes and control characters. Room for the whole string is
    /// taken at once; a string with escapes takes more run by run, so that a long one never reserves six times
    /// its length.
    fileprivate static func appendString(_ text: String, to buffer: inout JSONBuffer) {
        withUTF8(text) { utf8 in
            let count = utf8.count
            guard let source = utf8.baseAddress, count > 0 else {
                buffer.append("\"\"")
                return
            }
            var index = firstEscaped(source, from: 0, count: count)
            if index == count {
                let at = buffer.room(count + 2)
                at.pointee = UInt8(ascii: "\"")
                (at + 1).update(from: source, count: count)
                at[count + 1] = UInt8(ascii: "\"")
                buffer.count += count + 2
                return
            }
            buffer.append(UInt8(ascii: "\""))
            var runStart = 0
            while index < count {
                let run = index - runStart
                let at = buffer.room(run + 6)
                at.update(from: source + runStart, count: run)
                buffer.count += run + escape(source[index], at: at + run)
                runStart = index + 1
                index = firstEscaped(source, from: runStart, count: count)
            }
            let at = buffer.room(count - runStart + 1)
            at.update(from: source + runStart, count: count - runStart)
            at[count - runStart] = UInt8(ascii: "\"")
            buffer.count += count - runStart + 1
        }
    }

    /// Writes the escape of `byte` (a quote, a backslash or a control character) at `at`; returns its length, 2
    /// for a named escape such as `\n`, else 6 (`\u00XX`).
    @inline(__always)
    private static func escape(_ byte: UInt8, at: UnsafeMutablePointer<UInt8>) -> Int {
        at.pointee = UInt8(ascii: "\\")
        let named: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
        if let named {
            at[1] = named
            return 2
        }
        at[1] = UInt8(ascii: "u")
        at[2] = UInt8(ascii: "0")
        at[3] = UInt8(ascii: "0")
        at[4] = hexDigits[Int(byte >> 4)]
        at[5] = hexDigits[Int(byte & 0xF)]
        return 6
    }
}

/// The bytes of a text being written, through a pointer into memory that grows: first a buffer the caller lends
/// (on the stack), then the heap.
private struct JSONBuffer {
    /// Most messages fit: a task with its event is about 600 bytes. No more than 1,024: past that,
    /// `withUnsafeTemporaryAllocation` takes its memory from the heap, through `posix_memalign` (callgrind: 2,000
    /// instructions for each message written, two in every `task.update`).
    static let stackCapacity = 1024

    private(set) var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var onHeap = false
    /// Bytes written so far; whoever writes at ``room(_:)`` adds what it wrote (never more than the room taken,
    /// which debug builds check).
    var count = 0 {
        didSet { assert(count <= capacity, "JSON written past the room taken") }
    }

    init(_ initial: UnsafeMutableBufferPointer<UInt8>) {
        if let base = initial.baseAddress, initial.count > 0 {
            start = base
            capacity = initial.count
        } else {
            start = Self.allocate(JSONBuffer.stackCapacity)
            capacity = JSONBuffer.stackCapacity
            onHeap = true
        }
    }

    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Where the next `length` bytes go, with room for them.
    @inline(__always)
    mutating func room(_ length: Int) -> UnsafeMutablePointer<UInt8> {
        if count + length > capacity { grow(to: count + length) }
        return start + count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        room(1).pointee = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        room(bytes.count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        if onHeap {
            guard let moved = realloc(start, larger) else { fatalError("out of memory for \(larger) bytes of JSON") }
            start = moved.assumingMemoryBound(to: UInt8.self)
        } else {
            let moved = Self.allocate(larger)
            moved.initialize(from: start, count: count)
            start = moved
        }
        capacity = larger
        onHeap = true
    }

    /// Memory from `malloc`: `UnsafeMutablePointer.allocate` goes through `posix_memalign` on Linux, which costs
    /// ten times as much.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(count) else { fatalError("out of memory for \(count) bytes of JSON") }
        return memory.assumingMemoryBound(to: UInt8.self)
    }

    /// Frees what the buffer took from the heap.
    func release() {
        if onHeap { free(start) }
    }
}

/// Compact JSON text that this process wrote itself (``JSON/text(_:)``), so valid by construction; it enters a
/// tree as ``JSON/encoded(_:)``.
public struct EncodedJSON: Sendable {
    /// The text, UTF-8, with no line break.
    public let bytes: [UInt8]

    fileprivate init(bytes: [UInt8]) { self.bytes = bytes }

    /// The value the text holds.
    public var value: JSON {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            // Unreachable: the text was written by JSONTextWriter from Swift values.
            preconditionFailure("JSON written here does not parse: \(error.reason)")
        }
    }
}

/// Writes compact JSON text straight from values, for what a host writes for every request (a task and its
/// event): building a ``JSON`` tree only to encode it costs more than the text itself, an allocation for every
/// member and array and a retain and a release for every string, each time it is built, encoded and destroyed.
///
/// Objects are written as ``openObject()``, then ``key(_:)`` and one value for each member, then
/// ``closeObject()``; arrays as ``openArray()``, values, ``closeArray()``. Separators are written as needed.
public struct JSONTextWriter {
    fileprivate var buffer: JSONBuffer
    /// Nothing written yet in the innermost object or array.
    private var first = true
    /// A key was written, and its value is next.
    private var afterKey = false
    /// Objects and arrays open, checked in debug builds.
    private var depth = 0

    fileprivate init(buffer: JSONBuffer) { self.buffer = buffer }

    /// The separator before a value: none after a key or first in an array, else a comma.
    @inline(__always)
    private mutating func beginValue() {
        if afterKey {
            afterKey = false
        } else if !first {
            buffer.append(UInt8(ascii: ","))
        }
        first = false
    }

    public mutating func openObject() { open(UInt8(ascii: "{")) }
    public mutating func closeObject() { close(UInt8(ascii: "}")) }
    public mutating func openArray() { open(UInt8(ascii: "[")) }
    public mutating func closeArray() { close(UInt8(ascii: "]")) }

    /// Opens an object or an array: a value of the enclosing one, with nothing written in it yet.
    private mutating func open(_ bracket: UInt8) {
        beginValue()
        buffer.append(bracket)
        first = true
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) {
        assert(depth > 0 && !afterKey, "a close without an open object or array, or after a key without its value")
        buffer.append(bracket)
        first = false
        depth -= 1
    }

    /// A member's key: written as it is, so it must need no escape (the keys of this protocol are ASCII names).
    /// Its separator, quotes and colon go in with it, into room taken once.
    public mutating func key(_ key: StaticString) {
        assert(!afterKey, "a key after a key")
        let count = key.utf8CodeUnitCount
        let at = buffer.room(count + 4)
        var position = 0
        if !first {
            at.pointee = UInt8(ascii: ",")
            position = 1
        }
        at[position] = UInt8(ascii: "\"")
        (at + position + 1).update(from: key.utf8Start, count: count)
        at[position + 1 + count] = UInt8(ascii: "\"")
        at[position + 2 + count] = UInt8(ascii: ":")
        buffer.count += position + 3 + count
        first = false
        afterKey = true
    }

    public mutating func string(_ value: String) {
        beginValue()
        JSON.appendString(value, to: &buffer)
    }

    /// A string, or `null` when absent.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func null() {
        beginValue()
        buffer.append("null")
    }

    public mutating func int(_ value: Int64) {
        beginValue()
        let at = buffer.room(20)
        buffer.count += JSON.writeDecimal(value, at: at)
    }

    /// An array of strings.
    public mutating func strings(_ values: [String]) {
        openArray()
        for value in values { string(value) }
        closeArray()
    }

    /// Any value, a tree or text already written.
    public mutating func value(_ value: JSON) {
        beginValue()
        value.encode(into: &buffer)
    }

    /// Checks, in debug builds, that one whole value was written.
    fileprivate func check() {
        assert(depth == 0 && !afterKey && !first, "JSON text left unfinished")
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { text }
}
