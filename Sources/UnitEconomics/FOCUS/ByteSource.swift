import Foundation

/// Where FOCUS bytes come from: a plain file, or a gzip file decompressed by the system's `gzip -dc`
/// (streamed through a pipe, so memory stays flat whatever the file's size).
final class ByteSource {
    private let descriptor: Int32
    private let process: Process?
    private let path: String

    /// Opens `path`; a file starting with the gzip magic bytes (1f 8b) is decompressed on the fly.
    init(path: String) throws(FocusImportError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FocusImportError(.unreadable, line: 0, detail: String(cString: strerror(errno))) }
        var magic: (UInt8, UInt8) = (0, 0)
        let peeked = withUnsafeMutableBytes(of: &magic) { Foundation.read(fd, $0.baseAddress, 2) }
        guard peeked == 2, magic == (0x1F, 0x8B) else {
            lseek(fd, 0, SEEK_SET)
            descriptor = fd
            process = nil
            return
        }
        close(fd)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", "--", path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        gzip.standardError = FileHandle.nullDevice
        do {
            try gzip.run()
        } catch {
            throw FocusImportError(.unreadable, line: 0, detail: "cannot start gzip to decompress the file")
        }
        process = gzip
        descriptor = pipe.fileHandleForReading.fileDescriptor
        // Keep the pipe's read end open for as long as we read; the Pipe object closes it on deinit.
        self.pipe = pipe
    }

    private var pipe: Pipe?

    /// Reads up to `buffer.count` bytes; 0 at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FocusImportError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                if count == 0, let process {
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else {
                        throw FocusImportError(.unreadable, line: 0, detail: "gzip could not decompress the file")
                    }
                }
                return count
            }
            if errno == EINTR { continue }
            throw FocusImportError(.unreadable, line: 0, detail: String(cString: strerror(errno)))
        }
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        if process == nil { close(descriptor) }
    }
}
