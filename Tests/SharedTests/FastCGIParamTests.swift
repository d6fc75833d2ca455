import Testing

@testable import Shared

struct FastCGIParamTests {
    func bytes(_ text: String, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        Array(text.utf8).withUnsafeBytes(body)
    }

    @Test func headerParamsAreNamedAsHeaders() {
        let names = ["HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_COOKIE", "HTTP_X_REFERRAL_SIGNATURE"]
        let converted = names.map { name in
            Array(name.utf8).withUnsafeBytes { FastCGIRequest.headerName(fromParam: $0) }
        }
        #expect(converted == ["user-agent", "x-forwarded-for", "cookie", "x-referral-signature"])
    }

    @Test func onlyHTTPParamsAreHeaders() {
        #expect(bytes("HTTP_HOST") { FastCGIRequest.isHeaderParam($0) })
        for name in ["HTTP_", "HTTPS", "REQUEST_URI", "HTTP", "http_host", ""] {
            #expect(!bytes(name) { FastCGIRequest.isHeaderParam($0) }, "\(name)")
        }
    }
}
