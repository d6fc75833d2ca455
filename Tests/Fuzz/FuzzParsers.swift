// libFuzzer target over the parsers that read request bytes (scripts/fuzz builds it with the
// parser sources themselves, under AddressSanitizer). The first input byte picks the parser; the
// rest is its input. Each parser must not crash, and must keep its own promise.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let bytes = Array(all.dropFirst())
    let text = String(decoding: bytes, as: UTF8.self)
    switch all[0] % 8 {
    case 0:
        // The verdict does not depend on anything but the bytes.
        let verdict = StrictJSON.check(bytes)
        precondition(StrictJSON.check(bytes) == verdict)
    case 1:
        for pair in QueryString.pairs(text) {
            _ = pair.hasName("ref", ignoringCase: true)
            _ = pair.value(maxBytes: 1_024)
        }
        _ = QueryString.firstValue("wallet", in: text)
    case 2:
        _ = Cookies.value(named: "referral_code", in: text)
        _ = Cookies.value(named: "__Host-referral_session", in: text)
    case 3:
        // A message that parses is exactly the text it was parsed from.
        if let message = SignInMessage.parse(text) { precondition(message.text == text) }
    case 4:
        // Base58 round trip, within the bound.
        if let decoded = Base58.decode(text, maxBytes: 64) { precondition(Base58.encode(decoded) == text) }
        if let decoded = Hex.decode(text) { precondition(Hex.encode(decoded) == text.lowercased()) }
    case 5:
        bytes.withUnsafeBytes { raw in
            _ = FastCGIRecordScanner.scan(raw, maxParamBytes: 65_536, maxBodyBytes: 65_536)
        }
    default:
        // The redirect never leaves the site, never splits a header, never passes 2,048 bytes.
        let split = text.firstIndex(of: "?") ?? text.endIndex
        let path = String(text[..<split])
        let query = split < text.endIndex ? String(text[text.index(after: split)...]) : ""
        guard let link = ReferralLink.parse(path: path, query: query) else { return 0 }
        let location = link.location(code: link.code, frontendBaseURL: "https://site.example")
        precondition(location.utf8.count <= 2_048, "long Location")
        precondition(location.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\\") }, "unsafe byte")
        if !location.hasPrefix("https://site.example/") {
            precondition(location.hasPrefix("/") && !location.hasPrefix("//"), "left the site: \(location)")
            let resolved = SafeRedirect.removingDotSegments(String(location.prefix { $0 != "?" }))
            precondition(!resolved.hasPrefix("//"), "resolves off the site: \(location)")
        }
    }
    return 0
}
