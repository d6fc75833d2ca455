import CQRencode
import FoundationEssentials
@preconcurrency import Glibc

/// A QR code symbol from libqrencode, drawn as SVG. The one owner of libqrencode's pointers.
///
/// Related libqrencode documentation: qrencode.h (`QRcode_encodeString`, `QRcode`).
public struct QRCode: Sendable {
    /// Modules per side, without the quiet zone.
    public let width: Int
    /// Row-major dark (true) and light modules.
    public let modules: [Bool]

    /// Light modules around the symbol on every side, as ISO/IEC 18004 requires.
    public static let quietZone = 4
    /// Pixels per module in the SVG's nominal size.
    static let pixelsPerModule = 8

    /// Encodes `text` in byte mode, error correction level M, the smallest version that fits.
    ///
    /// - Parameter text: the data, e.g. a share link.
    /// - Throws: `QRCodeError` when libqrencode refuses (text too long, out of memory).
    public init(encoding text: String) throws {
        // "casesensitive: case-sensitive(1) or not(0)"; version 0 picks the smallest that fits.
        guard let symbol = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw QRCodeError(errno: errno)
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        // "data: symbol data ... the LSB of each byte is 1 for a dark module."
        let data = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        self.width = width
        modules = data.map { $0 & 1 == 1 }
    }

    /// The symbol as a standalone SVG: a white square with the quiet zone and one path of dark
    /// modules, each row's runs merged into one rectangle.
    public var svg: String {
        let size = width + 2 * Self.quietZone
        var path = ""
        for row in 0..<width {
            var column = 0
            while column < width {
                guard modules[row * width + column] else {
                    column += 1
                    continue
                }
                let start = column
                while column < width && modules[row * width + column] { column += 1 }
                path += "M\(start + Self.quietZone),\(row + Self.quietZone)h\(column - start)v1h-\(column - start)z"
            }
        }
        let pixels = size * Self.pixelsPerModule
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(pixels)" height="\(pixels)" \
            shape-rendering="crispEdges"><rect width="\(size)" height="\(size)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The SVG as a `data:image/svg+xml;base64,` URL.
    public var svgDataURL: String {
        "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()
    }
}

/// libqrencode could not encode the text.
public struct QRCodeError: Error, CustomStringConvertible {
    /// The errno libqrencode set (EINVAL, ENOMEM, ERANGE for data too large).
    public let errno: Int32
    public var description: String { "libqrencode: \(String(cString: strerror(errno)))" }
}
