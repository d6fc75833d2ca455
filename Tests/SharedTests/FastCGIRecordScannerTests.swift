import Testing

@testable import Shared

/// The FastCGI request scanner the acceptor trusts before libfcgi reads a byte.
struct FastCGIRecordScannerTests {
    static func record(_ type: UInt8, _ content: [UInt8], id: UInt16 = 1, version: UInt8 = 1) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [
            version, type, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff),
            UInt8(padding), 0,
        ] + content + [UInt8](repeating: 0, count: padding)
    }

    static func pair(_ name: String, _ value: String) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            count < 128
                ? [UInt8(count)]
                : [
                    UInt8(count >> 24) | 0x80, UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff),
                    UInt8(count & 0xff),
                ]
        }
        return length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
    }

    static let begin = record(1, [0, 1, 0, 0, 0, 0, 0, 0])

    static func request(body: [UInt8] = [], contentLength: String? = nil) -> [UInt8] {
        var pairs = pair("REQUEST_METHOD", body.isEmpty ? "GET" : "POST") + pair("REQUEST_URI", "/r/DEMO")
        if let length = contentLength ?? (body.isEmpty ? nil : String(body.count)) {
            pairs += pair("CONTENT_LENGTH", length)
        }
        return begin + record(4, pairs) + record(4, []) + (body.isEmpty ? [] : record(5, body)) + record(5, [])
    }

    func scan(_ bytes: [UInt8]) -> FastCGIRecordScanner.Verdict {
        bytes.withUnsafeBytes { FastCGIRecordScanner.scan($0, maxParamBytes: 65_536, maxBodyBytes: 65_536) }
    }

    @Test func aWholeRequestIsCompleteAndEveryShorterPrefixIsNot() {
        let bytes = Self.request(body: Array("{\"a\":1}".utf8))
        #expect(scan(bytes) == .complete(requestID: 1))
        for end in 0..<bytes.count - 8 {
            #expect(scan(Array(bytes.prefix(end))) == .incomplete, "prefix \(end)")
        }
    }

    @Test func aBodyOverTheLimitCompletesWithTheParameters() {
        let bytes = Self.begin + Self.record(4, Self.pair("CONTENT_LENGTH", "70000")) + Self.record(4, [])
        #expect(scan(bytes) == .complete(requestID: 1))
    }

    @Test func parametersOverTheLimitAreSeenFromTheDeclaredLength() {
        let first = Self.record(4, [UInt8](repeating: 0x7f, count: 65_528))
        // Only the header of the second record has arrived: its declared length is enough.
        let bytes = Self.begin + first + Array(Self.record(4, [UInt8](repeating: 1, count: 16)).prefix(8))
        #expect(scan(bytes) == .parametersTooLarge(requestID: 1))
    }

    @Test(arguments: [(1 << 30, 1 << 30), (Int(Int32.max), Int(Int32.max)), (1, Int(Int32.max)), (200, 0)])
    func lengthsPastTheParametersAreMalformed(name: Int, value: Int) {
        let lengths: [UInt8] = [
            UInt8(name >> 24) | 0x80, UInt8(name >> 16 & 0xff), UInt8(name >> 8 & 0xff), UInt8(name & 0xff),
            UInt8(value >> 24) | 0x80, UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff),
        ]
        let bytes = Self.begin + Self.record(4, lengths + Array("AB".utf8)) + Self.record(4, []) + Self.record(5, [])
        guard case .malformed = scan(bytes) else {
            Issue.record("not refused: \(scan(bytes))")
            return
        }
    }

    @Test func otherVersionsRolesAndRequestsAreMalformed() {
        for bytes in [
            Self.record(1, [0, 1, 0, 0, 0, 0, 0, 0], version: 2),
            Self.record(1, [0, 2, 0, 0, 0, 0, 0, 0]),
            Self.begin + Self.record(4, [], id: 2),
            Self.record(4, []),
            Self.begin + Self.record(2, []),
        ] {
            guard case .malformed = scan(bytes) else {
                Issue.record("accepted \(bytes)")
                continue
            }
        }
    }

    @Test func aManagementRecordMayComeFirst() {
        let values = Self.record(9, Self.pair("FCGI_MAX_CONNS", ""), id: 0)
        #expect(scan(values + Self.request()) == .complete(requestID: 1))
    }
}
