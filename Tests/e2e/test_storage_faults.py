"""A database that cannot take writes (SPEC §0): a full disk and a read-only file system answer
503 with a JSON error, store nothing partial (a click is a 503, never a 302 without its row), and
service resumes by itself when the cause is gone. The database lives on a small tmpfs the test
mounts (the suite runs as root) and unmounts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import assert_json_error, make_temp_dir, unique_ip
from conversions import conversion_body, counts, insert_code, post_conversion


@pytest.fixture
def small_disk():
    folder = make_temp_dir("fcgi-referral-tmpfs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def fill(folder: Path) -> Path:
    """Takes every free byte of the file system with one file."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


def click_until_refused(stack, code: str, limit: int = 5_000) -> tuple[int, object]:
    """Clicks until one is not a 302; returns how many were 302 and the refusal."""
    for index in range(limit):
        response = stack.get(f"/r/{code}", ip=unique_ip())
        if response.status != 302:
            return index, response
    raise AssertionError(f"{limit} clicks stored on a full disk")


def test_a_full_disk_answers_503_stores_nothing_partial_and_recovers(make_stack, small_disk):
    stack = make_stack("disk-full", REFERRAL_DB=str(small_disk / "referral.db"))
    code = insert_code(stack)
    filler = fill(small_disk)
    redirected, refusal = click_until_refused(stack, code)
    assert_json_error(refusal, 503, "storage-unavailable")
    assert refusal.header("Retry-After") == "5"
    # Every 302 has its row, and the refused click has none.
    assert len(stack.clicks(code)) == redirected
    # Money: a conversion is refused whole.
    before = counts(stack)
    assert_json_error(post_conversion(stack, conversion_body(code)), 503, "storage-unavailable")
    assert counts(stack) == before
    # Space returns: service resumes without a restart.
    filler.unlink()
    assert stack.get(f"/r/{code}", ip=unique_ip()).status == 302
    assert post_conversion(stack, conversion_body(code)).status == 201
    assert len(stack.clicks(code)) == redirected + 1
    assert stack.responder.poll() is None
    assert stack.query("PRAGMA integrity_check")[0][0] == "ok"
