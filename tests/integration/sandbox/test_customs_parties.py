"""The parties that file with the customs single window themselves, over real HTTP: the
logistics carrier (waybills → CEB511) and the payment sandboxes (declarations → CEB411), and
the embedded layout in which all of them are mounted on one server and reach each other."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from liveport.app import SANDBOX_MOUNTS, _import, _sandbox
from liveport.core.money import Money
from liveport.core.secrets_file import init_secrets
from liveport.core.settings import Settings
from liveport.payments.adapters.ecny import EcnyOperator
from liveport.payments.domain import Buyer, CustomsDeclaration, PreOrder
from liveport.protocols import carrier as carrier_wire
from liveport.protocols import customs as c
from liveport.protocols import sm2sign
from liveport.protocols.payment_wire import encode, open_sealed, seal
from liveport.sandbox.card.app import PAY_CODE as CARD_PAY_CODE
from liveport.sandbox.carrier.app import LOGISTICS_CODE
from liveport.sandbox.carrier.app import create_app as create_carrier_app
from liveport.sandbox.ecny.app import PAY_CODE as ECNY_PAY_CODE
from tests.integration.sandbox.identity_support import free_port
from tests.support import customs_messages as cm
from tests.support.customs_sandbox import (
    Parties,
    ReceiptReceiver,
    RunningWindow,
    declaration_set,
    running_customs,
    with_order_head,
)
from tests.support.live_server import served
from tests.support.payments import (
    WALLET_ZHANG,
    ZHANG,
    pay_at_cashier,
    pay_by_card,
    running_card,
    running_ecny,
)

MCH_ID = "LP-CARRIER-0001"


def eventually(check: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningWindow]:
    with running_customs(tmp_path_factory.mktemp("customs")) as running:
        yield running


class RunningCarrier:
    def __init__(self, url: str, app: Any, merchant: sm2sign.KeyPair) -> None:
        self.url, self.app, self.merchant = url, app, merchant
        self.public_key = httpx.get(url + carrier_wire.KEY_PATH, timeout=5).json()["public_key"]

    def post(self, fields: dict[str, str], key: str | None = None) -> tuple[int, dict[str, Any]]:
        message = seal({"mch_id": MCH_ID, **fields}, key or self.merchant.private_key)
        answer = httpx.post(self.url + carrier_wire.WAYBILLS_PATH, content=encode(message), timeout=10,
                            headers={"content-type": "application/json"})
        return answer.status_code, open_sealed(answer.content, self.public_key)

    def events(self, logistics_no: str) -> tuple[int, dict[str, Any]]:
        answer = httpx.get(self.url + carrier_wire.EVENTS_PATH.format(logistics_no=logistics_no), timeout=10)
        return answer.status_code, open_sealed(answer.content, self.public_key)


@pytest.fixture(scope="module")
def carrier(tmp_path_factory: pytest.TempPathFactory, window: RunningWindow) -> Iterator[RunningCarrier]:
    merchant = sm2sign.generate_keypair()
    app = create_carrier_app(tmp_path_factory.mktemp("carrier"), customs_url=window.url,
                             merchants={MCH_ID: merchant.public_key}, customs_backoff_s=(0, 0.1, 0.2))
    with served(app, log_config=None, access_log=False) as url:
        yield RunningCarrier(url, app, merchant)


def waybill_fields(order_no: str, **changes: str) -> dict[str, str]:
    return {"order_no": order_no, "ebp_code": cm.EBP[0], "ebp_name": cm.EBP[1], "consignee": cm.BUYER["name"],
            "consignee_telephone": cm.BUYER["phone"], "consignee_address": cm.ADDRESS, "freight": "1000",
            "weight": "1.1500", "goods_info": "阿富汗松子 x2", "insured_fee": "0", **changes}


def new_order_no() -> str:
    return "LP" + secrets.token_hex(6).upper()


# --- the carrier ---------------------------------------------------------------------------

def test_a_waybill_is_issued_once_per_order_in_a_signed_answer(carrier):
    order_no = new_order_no()
    status, first = carrier.post(waybill_fields(order_no))
    assert status == 200
    assert {k: first[k] for k in ("code", "mch_id", "order_no", "logistics_code", "logistics_name")} == {
        "code": "SUCCESS", "mch_id": MCH_ID, "order_no": order_no, "logistics_code": LOGISTICS_CODE,
        "logistics_name": "Sandbox Express"}
    assert first["logistics_no"].startswith("SX") and len(first["logistics_no"]) == 15
    assert carrier.post(waybill_fields(order_no))[1]["logistics_no"] == first["logistics_no"]
    other = carrier.post(waybill_fields(new_order_no()))[1]["logistics_no"]
    assert other != first["logistics_no"]
    status, refusal = carrier.post(waybill_fields(order_no, consignee_address="北京市朝阳区1号"))
    assert (status, refusal["code"], refusal["message"]) == (
        409, "order_no_used", "that order already has a waybill with other details")


def test_the_carrier_refuses_foreign_replayed_and_malformed_requests(carrier):
    status, refusal = carrier.post(waybill_fields(new_order_no()), key=sm2sign.generate_keypair().private_key)
    assert (status, refusal["code"]) == (401, "bad_signature")
    status, refusal = carrier.post(waybill_fields(new_order_no(), weight="heavy"))
    assert (status, refusal["code"], refusal["message"]) == (400, "bad_request", "weight is malformed")
    message = encode(seal({"mch_id": MCH_ID, **waybill_fields(new_order_no())}, carrier.merchant.private_key))
    answers = [httpx.post(carrier.url + carrier_wire.WAYBILLS_PATH, content=message, timeout=10) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 401]
    assert open_sealed(answers[1].content, carrier.public_key)["code"] == "replayed_nonce"


def test_the_carrier_files_the_waybill_with_customs_and_learns_it_was_taken(carrier, window):
    order_no = new_order_no()
    logistics_no = carrier.post(waybill_fields(order_no))[1]["logistics_no"]
    assert eventually(lambda: carrier.app.state.store.waybill(logistics_no)["customs_status"] == "ACCEPTED")
    [held] = window.held(order_no)
    assert (held["msg_type"], held["status"], [r["status"] for r in held["receipts"]]) == (
        "CEB511Message", "120", ["2", "120"])
    data = held["xml"].encode()
    assert c.verify(data).customs_code == LOGISTICS_CODE
    waybill = c.from_bytes(data).logistics[0]
    assert (waybill.logistics_no, waybill.order_no, waybill.consignee, waybill.consignee_telephone,
            waybill.consignee_address, str(waybill.freight), str(waybill.weight), waybill.pack_no) == (
        logistics_no, order_no, cm.BUYER["name"], cm.BUYER["phone"], cm.ADDRESS, "10.00", "1.15", 1)


def test_a_direct_mail_parcel_names_its_flight(carrier, window):
    order_no = new_order_no()
    answer = carrier.post(waybill_fields(order_no, trade_mode="9610"))[1]
    assert (answer["traf_mode"], answer["traf_no"]) == ("5", "SX0851")
    assert answer["bill_no"].startswith("999-")
    [held] = eventually(lambda: window.held(order_no))
    assert c.from_bytes(held["xml"].encode()).logistics[0].bill_no == answer["bill_no"]


def test_tracking_events_are_signed_and_start_with_acceptance(carrier):
    logistics_no = carrier.post(waybill_fields(new_order_no()))[1]["logistics_no"]
    status, answer = carrier.events(logistics_no)
    assert (status, answer["logistics_no"], [e["event"] for e in answer["events"]]) == (200, logistics_no, ["accepted"])
    assert carrier.events("SX0000000000000")[0] == 404


# --- the payment sandboxes -----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["ecny", "card"])
def test_a_declared_payment_reaches_customs_as_ceb411_and_is_taken(tmp_path, window, kind):
    starter = running_ecny if kind == "ecny" else running_card
    with starter(tmp_path, customs_url=window.url, customs_backoff_s=(0, 0.1, 0.2)) as provider:
        order_no = new_order_no()
        order = PreOrder("PAY" + order_no, Money.cny("109.28"), "pine nuts", "http://127.0.0.1:9/notify",
                         buyer=Buyer(*ZHANG))
        link = provider.adapter().pre_order(order)
        if kind == "ecny":
            assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[1] == "paid"
        else:
            assert pay_by_card(link.cashier_url, "6222000000000009", holder_id_no=ZHANG[1],
                               holder_name=ZHANG[0])[1] == "paid"
        declaration = CustomsDeclaration(order.out_trade_no, order_no, cm.EBP[0], cm.EBP[1], "5165")
        assert provider.adapter().declare_to_customs(declaration).status == "RECEIVED"
        assert eventually(lambda: provider.adapter().declarations(order.out_trade_no)[0].status == "ACCEPTED")
    [held] = window.held(order_no)
    payment = c.from_bytes(held["xml"].encode()).payments[0]
    assert (held["msg_type"], held["status"]) == ("CEB411Message", "120")
    assert (payment.pay_code, payment.pay_transaction_id, payment.order_no, payment.ebp_code) == (
        ECNY_PAY_CODE if kind == "ecny" else CARD_PAY_CODE, link.transaction_id, order_no, cm.EBP[0])
    assert (payment.payer_name, payment.payer_id_number, str(payment.amount_paid)) == (ZHANG[0], ZHANG[1], "109.28")
    assert c.verify(held["xml"].encode()).customs_code == payment.pay_code


def test_a_payment_without_a_real_name_payer_cannot_be_declared(tmp_path, window):
    with running_card(tmp_path, customs_url=window.url) as provider:
        order = PreOrder("PAY" + new_order_no(), Money.cny("9.90"), "tea", "http://127.0.0.1:9/notify")
        link = provider.adapter().pre_order(order)
        assert pay_by_card(link.cashier_url, "6222000000000009")[1] == "paid"
        receipt = provider.adapter().declare_to_customs(
            CustomsDeclaration(order.out_trade_no, "LPX" + order.out_trade_no, cm.EBP[0], cm.EBP[1], "5165"))
    assert receipt.status == "NOT_DECLARABLE"


# --- all of them mounted on one server, as Liveport mounts them ------------------------------

def test_mounted_together_the_sandboxes_clear_a_whole_declaration(tmp_path):
    """How a test drives a full declaration: the platform and agent file their certificates and
    a receipt URL; the e-CNY operator declares the payment (CEB411) and the carrier issues the
    waybill (CEB511) themselves; the platform sends the order (311) and the list (621)."""
    port = free_port()
    settings = init_secrets(Settings(env="test", data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}"))
    mounts = [Mount(path, _sandbox(_import(SANDBOX_MOUNTS[path]), settings))
              for path in ("/sandbox/customs", "/sandbox/carrier", "/sandbox/ecny")]
    parties = Parties.generate()
    with ReceiptReceiver() as receiver, served(Starlette(routes=mounts), port=port, log_config=None,
                                               access_log=False):
        window = RunningWindow(settings.sandbox_url("customs"), mounts[0].app)
        window.register(parties.platform, receiver.url)
        window.register(parties.agent, receiver.url)
        order_no = new_order_no()
        ecny = EcnyOperator.from_settings(settings)
        link = ecny.pre_order(PreOrder("PAY" + order_no, Money.cny("109.28"), "pine nuts",
                                       "http://127.0.0.1:9/notify", buyer=Buyer(*ZHANG)))
        assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[1] == "paid"
        ecny.declare_to_customs(CustomsDeclaration("PAY" + order_no, order_no, cm.EBP[0], cm.EBP[1], "5165"))
        carrier = RunningCarrier(settings.sandbox_url("carrier"), mounts[1].app, sm2sign.KeyPair(
            settings.secret("carrier_merchant_private_key"),
            sm2sign.public_key_of(settings.secret("carrier_merchant_private_key"))))
        waybill = carrier.post(waybill_fields(order_no, consignee=ZHANG[0]))[1]
        found = declaration_set(order_no, lines=1, logistics_no=waybill["logistics_no"],
                                transaction_id=link.transaction_id, buyer=ZHANG)
        found = with_order_head(found, pay_code=ECNY_PAY_CODE, pay_name="Sandbox e-CNY Operator")
        window.send(c.seal(found.order, parties.platform))
        window.send(c.seal(found.inventory, parties.agent))
        statuses = [r.status for r in receiver.wait_for("CEB622Message", order_no[-20:])]
        held = [(h["msg_type"], h["status"], h["sender_id"]) for h in window.held(order_no)]
    assert statuses == ["120", "399", "800"]
    assert sorted(held) == [("CEB311Message", "120", "DXPENT0000000001"), ("CEB411Message", "120", "DXPENTECNY000001"),
                            ("CEB511Message", "120", "DXPENTCARRIER001"), ("CEB621Message", "800", "DXPENT0000000001")]


def test_the_secrets_file_holds_the_carrier_merchant_key_pair(tmp_path):
    settings = init_secrets(Settings(env="test", data_dir=tmp_path))
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert sm2sign.public_key_of(stored["carrier_merchant_private_key"]) == stored["carrier_merchant_public_key"]
    assert settings.secret("carrier_merchant_private_key") == stored["carrier_merchant_private_key"]
