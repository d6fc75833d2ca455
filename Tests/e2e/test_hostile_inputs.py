"""SPEC §1 "Redirect targets are built only from the configured base URL or from checked path
segments": hostile request bytes written straight to nginx's socket (http.client refuses most of
them), and every answer's raw header block checked line by line.

For every request: no 5xx; any Location is `{FRONTEND_BASE_URL}/...` or a same-origin path that
starts with exactly one `/`, with no CR, LF, NUL or backslash and no other host; no header line
beyond what nginx and the responder legitimately send; a Set-Cookie only when the request named a
valid, active code in a well-formed link, and then exactly the referral cookie. Each case also has
its exact expected answer. nginx refusing a request line itself (400, 414) is acceptable where
noted: the request never reached the responder.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

import pytest

from conftest import build_request, referral_cookie, unique_code, unique_ip

# Header lines an answer may carry: nginx's own and the responder's.
ALLOWED_HEADERS = {
    "server", "date", "content-type", "content-length", "connection", "location", "cache-control",
    "set-cookie", "allow", "transfer-encoding",
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Case:
    id: str
    request: bytes  # method and target; {C} is the active code, {c1} the code without its first letter
    status: int | tuple[int, ...]  # the expected status (a tuple: any of these)
    location: str | None = None  # the exact Location of a 302 ({base} = FRONTEND_BASE_URL)
    cookie: bool = False  # a 302 carries exactly the referral cookie of the active code (and stores a click)
    headers: dict = field(default_factory=dict)
    host: str = "127.0.0.1"
    body: bytes = b""


ONBOARD = "{base}/onboard"
A10K = b"A" * 10240

CASES = [
    # //host shapes
    Case("double-slash-spell", b"GET //evil.com/ref/{C}", 302, "/"),
    Case("double-slash-query", b"GET //evil.com?ref={C}", 302, "/", cookie=True),
    Case("quad-slash-query", b"GET ////evil.com?ref={C}", 302, "/", cookie=True),
    Case("encoded-slashes-code", b"GET /r/%2F%2Fevil.com", 302, ONBOARD),
    Case("encoded-slashes-code-lower", b"GET /r/%2f%2fevil.com", 302, ONBOARD),
    Case("encoded-slashes-query", b"GET /%2F%2Fevil.com?ref={C}", 302, "/", cookie=True),
    Case("encoded-slashes-spell", b"GET /%2f%2fevil.com/ref/{C}", 302, "/"),
    Case("slash-then-encoded-slash-query", b"GET /%2Fevil.com?ref={C}", 302, "/", cookie=True),
    # backslashes
    Case("backslash-query", b"GET /\\evil.com?ref={C}", 302, "/", cookie=True),
    Case("double-backslash-query", b"GET /\\\\evil.com?ref={C}", 302, "/", cookie=True),
    Case("encoded-backslash-query", b"GET /%5Cevil.com?ref={C}", 302, "/", cookie=True),
    Case("encoded-backslash-code", b"GET /r/%5Cevil.com", 302, ONBOARD),
    Case("encoded-backslash-spell", b"GET /%5C%5Cevil.com/ref/{C}", 302, "/"),
    # double encoding
    Case("double-encoded-query", b"GET /%252F%252Fevil.com?ref={C}", 302, "/", cookie=True),
    Case("double-encoded-code", b"GET /r/%252F%252Fevil.com", 302, ONBOARD),
    Case("double-encoded-spell", b"GET /%252F%252Fevil.com/ref/{C}", 302, "/"),
    Case("triple-encoded-backslash-query", b"GET /%25255Cevil.com?ref={C}", 302, "/", cookie=True),
    # CR LF (header splitting)
    Case("crlf-code", b"GET /r/{C}%0d%0aSet-Cookie:%20x=1", 302, ONBOARD),
    Case("crlf-ref-code", b"GET /ref/{C}%0d%0aX:%201", 302, "/"),
    Case("crlf-spell", b"GET /ev%0d%0ail/ref/{C}", 302, "/"),
    Case("crlf-query-pair", b"GET /p?ref={C}&x=%0d%0aSet-Cookie:y", 302, "/p", cookie=True),
    Case("crlf-query-ref-value", b"GET /p?ref={C}%0d%0aSet-Cookie:%20x=1", 302, "/p"),
    Case("crlf-query-path", b"GET /p%0d%0aSet-Cookie:z=1?ref={C}", 302, "/", cookie=True),
    Case("crlf-only-code", b"GET /r/%0d%0a", 302, ONBOARD),
    Case("lf-query-pair-name", b"GET /p?%0aY:%201=2&ref={C}", 302, "/p", cookie=True),
    Case("tab-query-path", b"GET /%09/evil.com?ref={C}", 302, "/", cookie=True),
    Case("raw-cr-request-line", b"GET /r/{C}\rX: 1", 400),
    Case("raw-tab-request-line", b"GET /r/{C}\tX", 400),
    # NUL
    Case("nul-code", b"GET /r/{C}%00", (302, 400), ONBOARD),
    Case("nul-query-path", b"GET /p%00?ref={C}", (302, 400), "/", cookie=True),
    Case("nul-query-ref-value", b"GET /p?ref={C}%00", 302, "/p"),
    Case("nul-spell", b"GET /ev%00il/ref/{C}", (302, 400), "/"),
    Case("nul-query-pair", b"GET /p?a=%00&ref={C}", 302, "/p", cookie=True),
    # size
    Case("10kb-code", b"GET /r/" + A10K, (302, 414), ONBOARD),
    Case("4kb-code", b"GET /r/" + b"A" * 4000, 302, ONBOARD),
    Case("10kb-ref-value", b"GET /p?ref=" + A10K, (302, 414), "/p"),
    Case("4kb-spell", b"GET /" + b"s" * 4000 + b"/ref/{C}", 302, "/"),
    Case("4kb-query-path", b"GET /" + b"p" * 4000 + b"?ref={C}", 302, "/", cookie=True),
    # non-ASCII look-alikes
    Case("cyrillic-A-code-encoded", b"GET /r/%D0%90{c1}", 302, ONBOARD),
    Case("cyrillic-A-code-raw", b"GET /r/\xd0\x90{c1}", 302, ONBOARD),
    Case("cyrillic-A-ref-code", b"GET /ref/%D0%90{c1}", 302, "/"),
    Case("cyrillic-A-query-value", b"GET /p?ref=%D0%90{c1}", 302, "/p"),
    Case("cyrillic-spell", b"GET /%D0%B5vil/ref/{C}", 302, "/"),
    Case("fullwidth-solidus-path-encoded", b"GET /%EF%BC%8F%EF%BC%8Fevil.com?ref={C}", 302,
         "/%EF%BC%8F%EF%BC%8Fevil.com", cookie=True),
    Case("fullwidth-solidus-path-raw", b"GET /\xef\xbc\x8f\xef\xbc\x8fevil.com?ref={C}", 302, "/", cookie=True),
    Case("fullwidth-solidus-code", b"GET /r/{C}%EF%BC%8F", 302, ONBOARD),
    Case("fullwidth-solidus-spell", b"GET /%EF%BC%8Fevil.com/ref/{C}", 302, "/"),
    # hosts from the request are never used
    Case("host-header", b"GET /r/{C}", 302, "{base}/onboard?ref={C}", cookie=True, host="evil.com"),
    Case("forwarded-host-headers", b"GET /r/{C}", 302, "{base}/onboard?ref={C}", cookie=True,
         headers={"X-Forwarded-Host": "evil.com", "Forwarded": "host=evil.com;proto=https",
                  "X-Forwarded-Proto": "https"}),
    Case("absolute-form-target", b"GET http://evil.com/r/{C}", 302, "{base}/onboard?ref={C}", cookie=True),
    Case("absolute-form-query", b"GET http://evil.com//evil.com?ref={C}", 302, "/", cookie=True),
    Case("url-in-second-ref", b"GET /r/{C}?ref=//evil.com", 302, "{base}/onboard?ref={C}", cookie=True),
    Case("url-in-other-pair-stays-in-query", b"GET /p?ref={C}&next=//evil.com", 302, "/p?next=//evil.com",
         cookie=True),
    # traversal and escapes
    Case("traversal-code", b"GET /r/{C}%2F..%2Fevil", 302, ONBOARD),
    Case("traversal-query-path", b"GET /p/..%2F..%2Fevil.com?ref={C}", (302, 400), "/", cookie=True),
    Case("malformed-escape-pair-dropped", b"GET /p?ref={C}&a=%%32%46", 302, "/p", cookie=True),
    Case("malformed-escape-path", b"GET /p%zz?ref={C}", (302, 400), "/", cookie=True),
    # cookie attribute injection
    Case("cookie-attributes-in-code", b"GET /r/{C};Domain=evil.com", 302, ONBOARD),
    Case("cookie-attributes-in-code-encoded", b"GET /r/{C}%3B%20Domain%3Devil.com", 302, ONBOARD),
    Case("cookie-attributes-in-ref-value", b"GET /p?ref={C};%20Domain=evil.com", 302, "/p"),
    Case("quote-in-code", b"GET /r/{C}%22", 302, ONBOARD),
    # garbage forwarded address: nginx keeps the peer address
    Case("garbage-forwarded-for", b"GET /r/{C}", 302, "{base}/onboard?ref={C}", cookie=True,
         headers={"X-Forwarded-For": "<script>evil.com</script>"}),
    # other methods
    Case("post", b"POST /r/{C}", 405, body=b"a=1\r\nSet-Cookie: x=1"),
    Case("put", b"PUT /ref/{C}", 405, body=b"{}"),
    Case("delete", b"DELETE /spell/ref/{C}", 405),
    Case("patch", b"PATCH /p?ref={C}", 405, body=b"{}"),
    Case("post-query-link", b"POST /p?a=1&ref={C}", 405),
    Case("unknown-method", b"FOO /r/{C}", (400, 405)),
]


def assert_safe_location(location: str, base: str) -> None:
    assert not CONTROL.search(location), f"control character in Location {location!r}"
    assert "\\" not in location, f"backslash in Location {location!r}"
    if location.startswith(base + "/"):
        path = location[len(base):]
    else:
        assert location.startswith("/") and location[1:2] not in ("/", "\\"), f"unsafe Location {location!r}"
        path = location
    # Resolved as a browser would, the target stays on the configured origin.
    resolved = urllib.parse.urlsplit(urllib.parse.urljoin(base + "/", location))
    assert resolved.netloc == urllib.parse.urlsplit(base).netloc, f"Location {location!r} leaves the site"
    assert "evil" not in resolved.netloc
    # However often it is decoded, the path never turns into //host, a backslash or a control.
    text = path.split("?", 1)[0]
    for _ in range(4):
        text = urllib.parse.unquote(text, errors="replace")
        assert not text.startswith("//") and "\\" not in text and not CONTROL.search(text), (
            f"Location {location!r} decodes to {text!r}")


def check_headers_block(response, code: str) -> None:
    """The raw header block holds only expected lines, each `Name: value` on its own line."""
    lines = response.head.split(b"\r\n")
    for line in lines[1:]:
        assert b"\n" not in line and b"\r" not in line and b"\0" not in line, f"stray byte in {line!r}"
        name = line.split(b":", 1)[0].decode("latin-1")
        assert re.fullmatch(r"[A-Za-z0-9-]+", name), f"malformed header line {line!r}"
        assert name.lower() in ALLOWED_HEADERS, f"unexpected header line {line!r}"
    for value in response.cookies:
        assert value == referral_cookie(code), f"unexpected Set-Cookie {value!r}"


@pytest.fixture(scope="module")
def hostile_code(stack) -> str:
    # Starts with a Latin "A" so a Cyrillic "А" (U+0410) can stand in for it.
    return stack.create_code("A" + unique_code("h")[:11])


def test_table_is_large_enough():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request(stack, hostile_code, case):
    code = hostile_code
    method, _, target = case.request.partition(b" ")
    target = target.replace(b"{C}", code.encode()).replace(b"{c1}", code[1:].encode())
    headers = {"X-Forwarded-For": unique_ip(), **case.headers}
    data = build_request(method.decode(), target, headers, case.body, host=case.host)
    clicks_before = len(stack.clicks(code))

    response = stack.send_raw(data)

    # Generic safety, whatever the case.
    assert response.status < 500, f"{response.status_line}\n{response.body[:300]!r}"
    check_headers_block(response, code)
    for location in response.header_values("Location"):
        assert_safe_location(location, stack.base_url)

    # The exact answer of this case.
    allowed = case.status if isinstance(case.status, tuple) else (case.status,)
    assert response.status in allowed, f"{response.status_line}\n{response.body[:300]!r}"
    if response.status == 302:
        expected = case.location.format(base=stack.base_url, C=code)
        assert response.header_values("Location") == [expected]
        assert response.header_values("Cache-Control") == ["no-store"]
        assert response.cookies == ([referral_cookie(code)] if case.cookie else [])
        stored = 1 if case.cookie else 0
    else:
        assert response.location is None
        assert response.cookies == []
        stored = 0
    if response.status == 405:
        assert response.header_values("Allow") == ["GET, HEAD"]
    assert len(stack.clicks(code)) == clicks_before + stored
