/// A FOCUS file that cannot be imported as it is, with where and why: the line and column, and for a
/// value that does not parse, the value found (at most 40 characters: amounts and times, never a tag).
public struct FocusImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a row (or the whole file) was refused. Stable strings: `--skip-invalid` counts rows by code.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let missingColumn = Code(rawValue: "missing required column")
        public static let emptyFile = Code(rawValue: "empty file (no header row)")
        public static let malformedCSV = Code(rawValue: "malformed CSV")
        public static let fieldCount = Code(rawValue: "wrong number of fields")
        public static let emptyValue = Code(rawValue: "empty required value")
        public static let invalidNumber = Code(rawValue: "invalid number")
        public static let invalidTimestamp = Code(rawValue: "invalid timestamp")
        public static let endBeforeStart = Code(rawValue: "charge period ends before it starts")
        public static let invalidTags = Code(rawValue: "Tags is not a JSON object")
        public static let invalidText = Code(rawValue: "text is not valid UTF-8")
        public static let unreadable = Code(rawValue: "unreadable file")
        public static let periodTooLong = Code(rawValue: "charge period longer than 366 days")
        public static let recordTooLong = Code(rawValue: "record longer than 1 MiB")
    }

    public var code: Code
    /// The 1-based line of the file where the offending record starts (1 is the header).
    public var line: Int
    /// The FOCUS column name, when one column is at fault.
    public var column: String?
    public var detail: String?

    public init(_ code: Code, line: Int, column: String? = nil, detail: String? = nil) {
        self.code = code
        self.line = line
        self.column = column
        self.detail = detail
    }

    /// Whether the error concerns the whole file (and `--skip-invalid` cannot skip past it).
    public var isFatalForFile: Bool {
        code == .missingColumn || code == .emptyFile || code == .unreadable || code == .malformedCSV || code == .recordTooLong
    }

    public var description: String {
        // Line 0: the file as a whole (it cannot be opened or decompressed), not one of its lines.
        var text = line > 0 ? "line \(line)" : "the file"
        if let column { text += ", column \(column)" }
        text += ": \(code.rawValue)"
        if let detail { text += " (\(detail))" }
        return text
    }
}
