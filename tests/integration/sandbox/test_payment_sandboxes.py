"""The payment sandboxes as mounted in the embedded setup: their keys, their independence,
and the adapters built from settings alone reaching them over HTTP."""

from __future__ import annotations

import ast
import json
import os
import stat
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

import liveport.sandbox.card as card_package
import liveport.sandbox.carrier as carrier_package
import liveport.sandbox.customs as customs_package
import liveport.sandbox.ecny as ecny_package
import liveport.sandbox.payment_provider as provider_package
from liveport.app import SANDBOX_MOUNTS, _import
from liveport.core.money import Money
from liveport.core.secrets_file import init_secrets
from liveport.core.settings import Settings
from liveport.payments.adapters.card import CardAcquirerClient
from liveport.payments.adapters.ecny import EcnyOperator
from liveport.payments.domain import PreOrder
from liveport.protocols import sm2sign
from tests.support.live_server import served

# The wire formats, the payment sandboxes' shared provider core, and storage plumbing that
# opens SQLite files and knows no rule of the trade.
ALLOWED = ("liveport.protocols", "liveport.sandbox.payment_provider", "liveport.sandbox.sqlite_file",
           "liveport.core.writer_lock")


@pytest.mark.parametrize(
    ("package", "own"),
    [(ecny_package, "liveport.sandbox.ecny"), (card_package, "liveport.sandbox.card"),
     (provider_package, "liveport.sandbox.payment_provider"),
     (customs_package, "liveport.sandbox.customs"), (carrier_package, "liveport.sandbox.carrier")],
    ids=["ecny", "card", "payment_provider", "customs", "carrier"],
)
def test_a_sandbox_imports_nothing_of_liveport_but_protocols_and_its_own(package, own):
    foreign = []
    for source in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            foreign += [f"{source.name}: {n}" for n in names
                        if n.startswith("liveport") and not n.startswith((own, *ALLOWED))]
    assert foreign == []


@pytest.mark.parametrize("name", ["ecny", "card"])
def test_a_mounted_sandbox_makes_its_key_once_private_and_publishes_the_public_half(tmp_path, name):
    app = _import(SANDBOX_MOUNTS[f"/sandbox/{name}"])(data_dir=tmp_path / "sandbox")
    assert TestClient(app).get("/healthz").json() == {"status": "ok"}
    home = tmp_path / "sandbox" / name
    key_file = home / "provider_key.json"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    pair = app.state.sandbox.keypair
    assert json.loads(key_file.read_text()) == {"private_key": pair.private_key, "public_key": pair.public_key}
    assert (home / "provider_public_key.hex").read_text().strip() == pair.public_key
    assert sm2sign.public_key_of(pair.private_key) == pair.public_key
    assert TestClient(app).get("/v1/provider-key").json() == {"sign_type": "SM2", "public_key": pair.public_key}
    again = _import(SANDBOX_MOUNTS[f"/sandbox/{name}"])(data_dir=tmp_path / "sandbox")
    assert again.state.sandbox.keypair == pair


def test_the_secrets_file_gets_merchant_key_pairs_and_keeps_what_it_had(tmp_path):
    (tmp_path / "secrets.json").write_text('{"session_secret": "kept"}')
    settings = init_secrets(Settings(env="test", data_dir=tmp_path))
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert stored["session_secret"] == "kept"
    assert stat.S_IMODE(os.stat(tmp_path / "secrets.json").st_mode) == 0o600
    for prefix in ("ecny_merchant", "card_merchant"):
        assert sm2sign.public_key_of(stored[f"{prefix}_private_key"]) == stored[f"{prefix}_public_key"]
    assert settings.ecny_merchant_private_key.get_secret_value() == stored["ecny_merchant_private_key"]
    init_secrets(settings)
    assert json.loads((tmp_path / "secrets.json").read_text()) == stored


def test_adapters_from_settings_reach_the_mounted_sandboxes_with_the_set_up_keys(tmp_path):
    settings = init_secrets(Settings(env="test", data_dir=tmp_path))
    mounts = [Mount(path, _import(factory)(data_dir=settings.data_dir / "sandbox"))
              for path, factory in SANDBOX_MOUNTS.items() if path in ("/sandbox/ecny", "/sandbox/card")]
    with served(Starlette(routes=mounts), lifespan="off", log_config=None, access_log=False) as url:
        settings = settings.model_copy(update={"public_url": url})
        for adapter in (EcnyOperator.from_settings(settings), CardAcquirerClient.from_settings(settings)):
            order = PreOrder(f"LP{adapter.provider.value}0001", Money.cny("9.90"), "tea", f"{url}/notify")
            link = adapter.pre_order(order)
            assert link.cashier_url.startswith(f"{url}/sandbox/{adapter.provider.value}/")
            assert adapter.query(order.out_trade_no).amount == Money.cny("9.90")
