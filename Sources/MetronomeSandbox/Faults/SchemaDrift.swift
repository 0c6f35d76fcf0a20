import NIOCore

/// The API as it may look tomorrow: every JSON object carries a field the client has never seen,
/// and enum fields that do not change a number carry values from the future. Set for the length
/// of one request by the gate middleware; applied to the finished body by `SandboxResponses.json`.
enum SchemaDrift {
    @TaskLocal static var isOn = false

    /// Appended to every object (itself an object, so a client must skip nested unknown values).
    static let extraField = #""x_future_field":{"kind":"FUTURE_VALUE","values":[1.5,"two",null,true,{"deep":[]}]}"#

    /// Enum values a client must carry through without changing a number.
    static let enumReplacements: [(String, String)] = [
        (#""type":"PREPAID""#, #""type":"PREPAID_V2_FUTURE""#),
        (#""type":"USAGE""#, #""type":"USAGE_FUTURE""#),
        (#""type":"SCHEDULED""#, #""type":"SCHEDULED_FUTURE""#),
    ]

    /// Rewrites one JSON document: an extra field before every `}` outside strings, then the enum values.
    static func apply(to buffer: ByteBuffer) -> ByteBuffer {
        let input = Array(buffer.readableBytesView)
        let extra = Array(extraField.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        var inString = false
        var escaped = false
        var lastSignificant: UInt8 = 0
        for byte in input {
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastSignificant = byte
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "}"):
                if lastSignificant != UInt8(ascii: "{") { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: extra)
            default:
                break
            }
            output.append(byte)
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") { lastSignificant = byte }
        }
        var text = String(decoding: output, as: UTF8.self)
        for (old, new) in enumReplacements { text = text.replacing(old, with: new) }
        return ByteBuffer(string: text)
    }
}
