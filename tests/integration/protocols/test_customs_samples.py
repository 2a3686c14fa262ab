"""The official sample messages in ../shared: both validators, the parser, their signatures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from liveport.protocols import customs as c
from tests.conftest import missing

OURS = ["311", "312", "411", "412", "511", "512", "621", "622", "623", "624", "625", "626"]
SIGNED = ["311", "411", "511", "621", "623", "625"]


@pytest.fixture
def standard(shared_dir: Path) -> Path:
    return shared_dir / "standards" / "customs-2022"


def _sample(standard: Path, kind: str) -> bytes:
    return (standard / "samples" / f"CEB{kind}Message.xml").read_bytes()


def test_every_official_sample_passes_the_official_xsd(standard):
    samples = sorted((standard / "samples").glob("CEB*Message.xml"))
    assert len(samples) == 16
    for path in samples:
        assert c.validate(path.read_bytes(), standard) == path.stem


@pytest.mark.parametrize("kind", OURS)
def test_the_own_checks_accept_the_samples_of_our_messages(standard, kind):
    assert c.validate(_sample(standard, kind)) == f"CEB{kind}Message"


@pytest.mark.parametrize("kind", OURS)
def test_samples_parse_and_rebuild_into_schema_valid_messages(standard, kind):
    message = c.from_bytes(_sample(standard, kind))
    rebuilt = c.to_bytes(message)
    assert c.from_bytes(rebuilt) == message
    if kind not in ("621", "623", "625"):  # those need a signature, which parsing drops
        assert c.validate(rebuilt, standard) == f"CEB{kind}Message"


@pytest.mark.parametrize("kind", SIGNED)
def test_the_samples_rsa_signatures_cannot_be_verified(standard, kind):
    with pytest.raises(c.SignatureUnverifiable, match="RSA-SHA1"):
        c.verify(_sample(standard, kind))


def test_openssl_verifies_a_sandbox_certificate_signature(tmp_path):
    if shutil.which("openssl") is None:
        missing("openssl is not installed")
    party = c.generate_party("Sandbox Carrier", "4403980LOG")
    pem = tmp_path / "party.pem"
    pem.write_text(c.certificate_pem(party.certificate))
    result = subprocess.run(
        ["openssl", "verify", "-partial_chain", "-CAfile", str(pem), str(pem)],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{pem}: OK"
