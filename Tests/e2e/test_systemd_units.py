"""The systemd units in scripts/systemd/: `systemd-analyze verify` passes on each (with ExecStart
pointed at the built binaries), the services are sandboxed (`systemd-analyze security --offline`
exposure at most 2.0, "OK"), and the timer starts the payout service every 5 minutes, persistently."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, REPO

UNITS = REPO / "scripts/systemd"


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> Path:
    if shutil.which("systemd-analyze") is None:
        raise AssertionError("systemd-analyze is not installed (scripts/test installs systemd)")
    folder = tmp_path_factory.mktemp("units")
    for unit in UNITS.iterdir():
        if unit.is_file():
            (folder / unit.name).write_text(unit.read_text().replace("/usr/local/bin/", f"{BIN}/"))
    drop_ins = folder / "referral-payout.service.d"
    shutil.copytree(UNITS / "referral-payout.service.d", drop_ins)
    return folder


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("unit", ["fcgi-referral.socket", "fcgi-referral.service", "referral-payout.service",
                                  "referral-payout.timer", "referral-webhooks.service"])
def test_verify_passes(units, unit):
    result = analyze("verify", "--man=no", f"./{unit}", cwd=units)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("service", ["fcgi-referral.service", "referral-payout.service", "referral-webhooks.service"])
def test_services_are_sandboxed(units, service):
    result = analyze("security", "--offline=true", "--threshold=20", f"./{service}", cwd=units)
    assert result.returncode == 0, result.stdout + result.stderr
    exposure = float(result.stdout.split("Overall exposure level for")[1].split(":")[1].split()[0])
    assert exposure <= 2.0, result.stdout


def test_the_payout_service_runs_once_per_start_on_the_live_database(units):
    text = (units / "referral-payout.service").read_text()
    assert "Type=oneshot" in text and f"ExecStart={BIN}/referral-payout run" in text
    # Purchases are verified first; a failing node does not stop the run.
    assert text.index(f"ExecStart=-{BIN}/referral-payout verify") < text.index(f"ExecStart={BIN}/referral-payout run")
    assert "ReadWritePaths=/var/lib/fcgi-referral" in text and "NoNewPrivileges=yes" in text
    assert "PrivateTmp=yes" in text and "ProtectSystem=strict" in text


def test_the_timer_fires_every_five_minutes_and_catches_up(units):
    text = (units / "referral-payout.timer").read_text()
    assert "Persistent=true" in text and "Unit=referral-payout.service" in text
    calendar = text.split("OnCalendar=")[1].split()[0]
    result = subprocess.run(["systemd-analyze", "calendar", "--iterations=3", calendar], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    minutes = [line.split(":")[-2] for line in result.stdout.splitlines() if "Iter." in line or "Next elapse" in line]
    steps = {(int(b) - int(a)) % 60 for a, b in zip(minutes, minutes[1:])}
    assert steps == {5}, result.stdout


def test_the_solana_drop_in_verifies_with_the_service(units, tmp_path):
    # A drop-in's lines apply as if appended to the unit: check the two as one file.
    combined = tmp_path / "referral-payout.service"
    combined.write_text((units / "referral-payout.service").read_text() + "\n"
                        + (units / "referral-payout.service.d/solana.conf").read_text())
    result = analyze("verify", "--man=no", "./referral-payout.service", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    assert "LoadCredential=owner-keypair:" in combined.read_text()


def test_the_example_environment_file_names_every_documented_variable():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## Running it in production")]
    documented = {cell.strip("` ") for line in table.splitlines() if line.startswith("| `")
                  for cell in line.split("|")[1].split(",")}
    example = (UNITS / "env.example").read_text()
    scripts_only = {"HTTP_PORT"}
    missing = [name for name in documented - scripts_only if name not in example]
    assert missing == [], missing
    # systemd reads the uncommented lines as NAME=value.
    for line in example.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert name.isupper() and value and " " not in value, line
