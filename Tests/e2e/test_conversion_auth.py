"""SPEC §4: the conversion API's HMAC guard. Every failure is 401 `invalid-signature` and stores
nothing; the signature is checked over the raw bytes before the body is parsed; 300 s tolerance."""

from __future__ import annotations

import secrets
import time

import pytest

from conversions import conversion_body, counts, encode, insert_code, post_conversion, secret_of, signature
from signin import api_error, json_of


@pytest.fixture(scope="module")
def conv_code(stack) -> str:
    return insert_code(stack)


def refused(stack, response) -> None:
    api_error(response, 401, "invalid-signature")


def test_a_correctly_signed_request_is_accepted(stack, conv_code):
    document = json_of(post_conversion(stack, conversion_body(conv_code)), 201)
    assert document["conversion"]["code"] == conv_code


@pytest.mark.parametrize("missing", [("X-Referral-Timestamp",), ("X-Referral-Signature",),
                                     ("X-Referral-Timestamp", "X-Referral-Signature")])
def test_missing_headers_are_refused(stack, conv_code, missing):
    before = counts(stack)
    refused(stack, post_conversion(stack, conversion_body(conv_code), headers={h: None for h in missing}))
    assert counts(stack) == before


def test_a_signature_with_another_key_is_refused(stack, conv_code):
    before = counts(stack)
    refused(stack, post_conversion(stack, conversion_body(conv_code), secret=secrets.token_hex(32)))
    # The right secret's bytes, one changed.
    wrong = secret_of(stack)[:-1] + ("0" if secret_of(stack)[-1] != "0" else "1")
    refused(stack, post_conversion(stack, conversion_body(conv_code), secret=wrong))
    assert counts(stack) == before


def test_the_key_is_the_secrets_utf8_bytes(make_stack):
    stack = make_stack("utf8-secret", CONVERSION_SECRET="sécret-ключ-🔑")
    code = insert_code(stack)
    json_of(post_conversion(stack, conversion_body(code)), 201)
    refused(stack, post_conversion(stack, conversion_body(code), secret="s\xe9cret"))


def test_a_body_changed_by_one_byte_after_signing_is_refused(stack, conv_code):
    signed = encode(conversion_body(conv_code, amount="1000"))
    sent = signed.replace(b'"1000"', b'"1001"')
    assert len(sent) == len(signed) and sent != signed
    before = counts(stack)
    refused(stack, post_conversion(stack, sent, sign_body=signed))
    # A trailing byte (still valid JSON) too.
    refused(stack, post_conversion(stack, signed + b" ", sign_body=signed))
    assert counts(stack) == before


@pytest.mark.parametrize("skew", [301, -301, 3600, -86_400])
def test_a_timestamp_outside_the_tolerance_is_refused(stack, conv_code, skew):
    before = counts(stack)
    refused(stack, post_conversion(stack, conversion_body(conv_code), timestamp=int(time.time()) + skew))
    assert counts(stack) == before


@pytest.mark.parametrize("skew", [299, -299])
def test_a_timestamp_inside_the_tolerance_is_accepted(stack, conv_code, skew):
    json_of(post_conversion(stack, conversion_body(conv_code), timestamp=int(time.time()) + skew), 201)


@pytest.mark.parametrize("timestamp", ["abc", "", "{now}.0", "{now}a", "1.5e9", "0x10", "+{now}", "-{now}",
                                       "999999999999", "9999999999999", "99999999999999999999999", "0"])
def test_a_bad_timestamp_is_refused(stack, conv_code, timestamp):
    # Signed with the very timestamp text sent: only the timestamp is wrong.
    text = timestamp.format(now=int(time.time()))
    before = counts(stack)
    refused(stack, post_conversion(stack, conversion_body(conv_code), timestamp=text))
    assert counts(stack) == before


def test_a_numeric_timestamp_with_another_value_than_signed_is_refused(stack, conv_code):
    body = encode(conversion_body(conv_code))
    now = int(time.time())
    refused(stack, post_conversion(stack, body, timestamp=now,
                                   headers={"X-Referral-Signature": signature(secret_of(stack), now - 1, body)}))


def bad_signatures(good: str) -> list[str]:
    digest = good[3:]
    return [
        digest,                          # no v1= prefix
        "v2=" + digest,                  # another version
        "V1=" + digest,
        "v1=" + "zz" + digest[2:],       # not hex
        "v1=" + digest[:-1],             # odd length
        "v1=" + digest[:-2],             # one byte short
        "v1=" + digest + "00",           # one byte long
        "v1=",
        "v1= " + digest,
        "",
    ]


@pytest.mark.parametrize("index", range(len(bad_signatures("v1=" + "0" * 64))))
def test_malformed_signature_headers_are_refused(stack, conv_code, index):
    body = encode(conversion_body(conv_code))
    now = int(time.time())
    value = bad_signatures(signature(secret_of(stack), now, body))[index]
    before = counts(stack)
    refused(stack, post_conversion(stack, body, timestamp=now, headers={"X-Referral-Signature": value}))
    assert counts(stack) == before


def test_the_signature_is_checked_before_the_body_is_parsed(stack):
    garbage = b'{"referredWallet": '
    refused(stack, post_conversion(stack, garbage, secret=secrets.token_hex(16)))
    refused(stack, post_conversion(stack, garbage, headers={"X-Referral-Signature": None}))
    refused(stack, post_conversion(stack, b"x", content_type="text/plain", secret=secrets.token_hex(16)))
    # Correctly signed, the same bytes reach the parser.
    api_error(post_conversion(stack, garbage), 400, "invalid-json")


def test_a_signed_body_that_is_not_json_content_is_415(stack, conv_code):
    body = encode(conversion_body(conv_code))
    before = counts(stack)
    assert post_conversion(stack, body, content_type="text/plain").status == 415
    assert post_conversion(stack, body, content_type=None).status == 415
    assert counts(stack) == before


def padded(body: bytes, size: int) -> bytes:
    """`body` (a JSON object) grown with spaces to exactly `size` bytes."""
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_a_body_over_64_kib_is_413(stack, conv_code):
    body = encode(conversion_body(conv_code))
    before = counts(stack)
    for size in (64 * 1024 + 1, 1024 * 1024):
        big = padded(body, size)
        assert len(big) == size
        assert post_conversion(stack, big).status == 413
    assert counts(stack) == before


def test_a_body_of_exactly_64_kib_is_accepted(stack, conv_code):
    body = padded(encode(conversion_body(conv_code)), 64 * 1024)
    json_of(post_conversion(stack, body), 201)


def test_a_json_content_type_with_parameters_is_accepted(stack, conv_code):
    json_of(post_conversion(stack, conversion_body(conv_code), content_type="application/json; charset=utf-8"), 201)


def test_a_rotated_out_secret_is_accepted_alongside_the_new_one(make_stack):
    from conversions import conversion_body, insert_code, post_conversion
    stack = make_stack("rotation", CONVERSION_SECRET_PREVIOUS="old-secret-0123456789")
    code = insert_code(stack)
    assert post_conversion(stack, conversion_body(code)).status == 201
    assert post_conversion(stack, conversion_body(code), secret="old-secret-0123456789").status == 201
    assert post_conversion(stack, conversion_body(code), secret="another-secret-0123456789").status == 401
