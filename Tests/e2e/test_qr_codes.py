"""SPEC §3: the QR codes read by a real decoder: the `qrSvg` data URL from create and the public
`GET /api/referral/{code}/qr.svg`, rasterised with rsvg-convert (librsvg2-bin) and decoded with
zxing-cpp; the text must be exactly the share link."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from conftest import unique_code
from signin import api_error, api_request, json_of, sign_in

# scripts/test installs it (Debian's librsvg2-bin): missing, it is a failure, not a skip.
assert shutil.which("rsvg-convert"), "rsvg-convert is not installed (Debian package librsvg2-bin)"


def decode_svg(svg: bytes, folder: Path) -> list[str]:
    """Rasterises an SVG on white and returns the texts of every QR code found in it."""
    source, image = folder / "qr.svg", folder / "qr.png"
    source.write_bytes(svg)
    subprocess.run(["rsvg-convert", "-w", "400", "-b", "white", str(source), "-o", str(image)],
                   check=True, capture_output=True, timeout=30)
    with Image.open(image) as picture:
        results = zxingcpp.read_barcodes(picture)
    assert all(r.format == zxingcpp.BarcodeFormat.QRCode for r in results), [r.format for r in results]
    return [r.text for r in results]


def data_url_svg(url: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix), url[:60]
    return base64.b64decode(url[len(prefix):], validate=True)


@pytest.fixture(scope="module")
def owner(stack):
    return sign_in(stack)


def get_qr(stack, code: str):
    response = stack.get(f"/api/referral/{code}/qr.svg")
    assert response.status == 200, f"{response.status_line} {response.body[:300]!r}"
    assert response.header_values("Content-Type") == ["image/svg+xml"]
    return response.body


@pytest.mark.parametrize("body", [
    pytest.param({}, id="generated"),
    pytest.param({"code": "Qr_" + unique_code("")[:6]}, id="custom"),
    pytest.param({"code": "Q" + (unique_code("") * 3)[:31]}, id="32-chars"),
])
def test_qr_of_create_and_of_qr_svg_read_as_the_share_link(stack, owner, tmp_path, body):
    document = json_of(api_request(stack, "POST", "/api/referral/create", body, session=owner.token), 201)
    share_link = document["shareLink"]
    assert share_link == f"{stack.base_url}/r/{document['code']}"
    assert decode_svg(data_url_svg(document["qrSvg"]), tmp_path) == [share_link]
    served = get_qr(stack, document["code"])
    assert decode_svg(served, tmp_path) == [share_link]


def test_qr_svg_is_public_and_uses_the_code_as_stored(stack, tmp_path):
    stored = "MiXed" + unique_code("")[:8]
    stack.create_code(stored)
    expected = [f"{stack.base_url}/r/{stored}"]
    assert decode_svg(get_qr(stack, stored), tmp_path) == expected
    assert decode_svg(get_qr(stack, stored.lower()), tmp_path) == expected


def test_qr_svg_of_an_unknown_code_is_404(stack):
    api_error(stack.get(f"/api/referral/{unique_code('Gone')}/qr.svg"), 404, "unknown-code")
