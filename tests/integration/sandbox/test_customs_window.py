"""The customs single-window sandbox over real HTTP: format and signature checks, the
three-document match, receipts and their delivery, cancellations, returns, queries."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from lxml import etree

from liveport.protocols import customs as c
from liveport.sandbox.customs.documents import RECEIPT_TYPE, items_of
from tests.support import customs_messages as cm
from tests.support.customs_sandbox import (
    PLATFORM_DXP_ID,
    WINDOW_DXP_ID,
    DeclarationSet,
    Parties,
    ReceiptReceiver,
    RunningWindow,
    declaration_set,
    running_customs,
    with_inventory_lines,
    with_payment,
    with_waybill,
)

DS = "{http://www.w3.org/2000/09/xmldsig#}"
SAMPLES = ("311", "411", "511", "621", "623", "625")


@pytest.fixture(scope="module")
def parties() -> Parties:
    return Parties.generate()


@pytest.fixture(scope="module")
def receiver() -> Iterator[ReceiptReceiver]:
    with ReceiptReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory, parties: Parties,
           receiver: ReceiptReceiver) -> Iterator[RunningWindow]:
    with running_customs(tmp_path_factory.mktemp("customs")) as running:
        parties.register(running, receiver.url)
        yield running


def new_order_no() -> str:
    return "LP" + secrets.token_hex(6).upper()


def declare(window: RunningWindow, found: DeclarationSet, parties: Parties) -> None:
    for data in found.signed(parties):
        answer = window.send(data)
        assert answer.status_code == 202, answer.text


def list_statuses(receiver: ReceiptReceiver, order_no: str) -> list[str]:
    return [r.status for r in receiver.wait_for("CEB622Message", order_no[-20:])]


def list_reason(receiver: ReceiptReceiver, order_no: str) -> str:
    found = receiver.wait_for("CEB622Message", order_no[-20:])
    assert [r.status for r in found] == ["100"]
    return found[0].info


# --- the whole declaration ---------------------------------------------------------------

def test_a_consistent_declaration_is_accepted_and_released(window, parties, receiver):
    order_no = new_order_no()
    found = declaration_set(order_no, lines=3)
    declare(window, found, parties)
    assert list_statuses(receiver, order_no) == ["120", "399", "800"]
    assert receiver.statuses("CEB312Message", order_no) == ["2", "120"]
    assert receiver.statuses("CEB512Message", found.waybill.logistics[0].logistics_no) == ["2", "120"]
    released = receiver.of("CEB622Message", order_no)[-1].message.returns[0]
    assert (released.cop_no, len(released.pre_no), len(released.invt_no)) == (order_no, 18, 18)
    assert released.invt_no.startswith("5165")


def test_the_list_waits_for_documents_that_come_after_it(window, parties, receiver):
    order_no = new_order_no()
    order, payment, waybill, inventory = declaration_set(order_no).signed(parties)
    for data in (inventory, order, payment, waybill):
        assert window.send(data).status_code == 202
    assert list_statuses(receiver, order_no) == ["120", "399", "800"]


def test_the_window_holds_the_order_s_messages_as_received(window, parties, receiver):
    order_no = new_order_no()
    found = declaration_set(order_no)
    declare(window, found, parties)
    list_statuses(receiver, order_no)
    held = window.held(order_no)
    assert [(h["msg_type"], h["status"]) for h in held] == [
        ("CEB311Message", "120"), ("CEB411Message", "120"), ("CEB511Message", "120"), ("CEB621Message", "800")]
    assert [c.from_bytes(h["xml"].encode()) for h in held] == [
        found.order, found.payment, found.waybill, found.inventory]
    assert [r["status"] for r in held[3]["receipts"]] == ["120", "399", "800"]
    assert held[0]["guid"] == found.order.guid
    one = httpx.get(f"{window.url}/v1/messages/{found.inventory.guid}", timeout=5).json()
    assert (one["msg_type"], one["status"], one["state"]) == ("CEB621Message", "800", "processed")
    assert httpx.get(f"{window.url}/v1/messages/{c.new_guid()}", timeout=5).status_code == 404


# --- the three-document match refuses -----------------------------------------------------

def test_an_amount_that_is_not_what_was_paid_is_rejected(window, parties, receiver):
    order_no = new_order_no()
    declare(window, with_payment(declaration_set(order_no), amount_paid=Decimal("190.28")), parties)
    assert list_reason(receiver, order_no) == (
        "三单对碰失败 not matched: payment amountPaid 190.28 differs from the order's acturalPaid 200.28")


def test_a_consignee_unlike_the_waybill_s_is_rejected(window, parties, receiver):
    order_no = new_order_no()
    found = with_waybill(declaration_set(order_no), consignee="王大明")
    declare(window, found, parties)
    assert list_reason(receiver, order_no) == (
        f"三单对碰失败 not matched: consignee on the waybill {found.waybill.logistics[0].logistics_no} differs"
        " from the order's: consignee")


def test_a_list_with_other_lines_than_the_order_is_rejected(window, parties, receiver):
    order_no = new_order_no()
    found = declaration_set(order_no, lines=2)
    declare(window, with_inventory_lines(found, found.inventory.inventories[0].lines[:1]), parties)
    assert list_reason(receiver, order_no) == (
        "三单对碰失败 not matched: the inventory list has 1 lines, the order 2;"
        " line gnum 2 of the order is not on the inventory list")


def test_a_payer_who_is_not_the_buyer_is_rejected(window, parties, receiver):
    order_no = new_order_no()
    declare(window, with_payment(declaration_set(order_no), payer_name="张伟",
                                 payer_id_number="11010519491231002X"), parties)
    assert list_reason(receiver, order_no) == (
        "三单对碰失败 not matched: payer on the payment (张伟, 1101**********002X) is not the buyer on the order"
        " (王小明, 1101**********4514)")


def test_a_list_whose_payment_never_comes_is_rejected_after_the_wait(tmp_path, parties):
    with ReceiptReceiver() as receiver, running_customs(tmp_path, match_wait_s=0.3) as window:
        parties.register(window, receiver.url)
        order_no = new_order_no()
        order, _payment, waybill, inventory = declaration_set(order_no).signed(parties)
        for data in (order, waybill, inventory):
            assert window.send(data).status_code == 202
        assert list_reason(receiver, order_no) == (
            "三单对碰失败 not matched: after 0.3 s the window holds no accepted payment"
            f" (CEB411 orderNo {order_no}, ebpCode {cm.EBP[0]})")


def test_a_rule_rejects_the_next_list_of_an_order_on_demand(window, parties, receiver):
    order_no = new_order_no()
    answer = httpx.post(f"{window.url}/v1/sandbox/rules", timeout=5,
                        json={"order_no": order_no, "reason": "涉嫌瞒报 held on request"})
    assert answer.status_code == 200, answer.text
    declare(window, declaration_set(order_no), parties)
    assert list_reason(receiver, order_no) == "涉嫌瞒报 held on request"


def test_a_rule_sends_a_list_to_manual_review_before_release(window, parties, receiver):
    order_no = new_order_no()
    httpx.post(f"{window.url}/v1/sandbox/rules", json={"order_no": order_no, "action": "review"}, timeout=5)
    declare(window, declaration_set(order_no), parties)
    assert list_statuses(receiver, order_no) == ["120", "300", "399", "800"]


def test_inspection_at_the_configured_rate_comes_before_release(tmp_path, parties):
    with ReceiptReceiver() as receiver, running_customs(tmp_path, inspection_rate=1.0) as window:
        parties.register(window, receiver.url)
        order_no = new_order_no()
        declare(window, declaration_set(order_no), parties)
        assert list_statuses(receiver, order_no) == ["120", "500", "399", "800"]


# --- signatures ----------------------------------------------------------------------------

def _flip_signature_byte(data: bytes) -> bytes:
    root = etree.fromstring(data)
    value = root.find(f"{DS}Signature/{DS}SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _inventory_signed_by(party: c.PartyCredentials, order_no: str) -> bytes:
    return c.seal(declaration_set(order_no).inventory, party)


@pytest.mark.parametrize(("tamper", "reason"), [
    (lambda parties, order_no: _flip_signature_byte(_inventory_signed_by(parties.agent, order_no)),
     "签名验证失败 the signature does not hold: the signature value does not verify with the certificate's key"),
    (lambda parties, order_no: _inventory_signed_by(parties.agent, order_no).replace(
        b"<ceb:grossWeight>1.15</ceb:grossWeight>", b"<ceb:grossWeight>9.15</ceb:grossWeight>"),
     "签名验证失败 the signature does not hold: digest mismatch: the message was altered after signing"),
    (lambda parties, order_no: _inventory_signed_by(c.generate_party(cm.AGENT[1], cm.AGENT[0]), order_no),
     (f"证书未备案 not signed by a filed certificate: the signing certificate ({cm.AGENT[1]}, {cm.AGENT[0]})"
     " is not trusted")),
    (lambda parties, order_no: _inventory_signed_by(parties.platform, order_no),
     f"证书与企业不符 agentCode {cm.AGENT[0]} did not sign this: the certificate is filed for {cm.EBP[0]}"),
], ids=["flipped byte", "altered after signing", "foreign certificate", "another party's certificate"])
def test_a_list_whose_signature_does_not_hold_for_its_agent_is_refused(window, parties, receiver, tamper, reason):
    order_no = new_order_no()
    assert window.send(tamper(parties, order_no)).status_code == 202
    assert list_reason(receiver, order_no) == reason


def test_an_unsigned_order_is_taken_and_a_foreign_signed_one_refused(window, parties, receiver):
    unsigned, foreign = new_order_no(), new_order_no()
    window.send(c.seal(declaration_set(unsigned).order, None))
    window.send(c.seal(declaration_set(foreign).order, c.generate_party(cm.EBP[1], cm.EBP[0])))
    assert [r.status for r in receiver.wait_for("CEB312Message", unsigned, final=("120", "100"))] == ["2", "120"]
    assert [r.status for r in receiver.wait_for("CEB312Message", foreign)] == ["100"]


# --- format -----------------------------------------------------------------------------

def test_a_message_that_fails_the_format_check_gets_a_format_receipt(window, receiver):
    order_no = new_order_no()
    data = c.to_bytes(declaration_set(order_no).order).replace(
        b"<ceb:currency>142</ceb:currency>", b"<ceb:currency>840</ceb:currency>", 1)
    assert window.send(data, cop_msg_id="FORMAT-" + order_no).status_code == 202
    [receipt] = receiver.wait_for("CEB900Message", "FORMAT-" + order_no)
    node = receipt.message.returns[0]
    assert (node.return_status, node.ori_message_type) == ("-1", "CEB311Message")
    assert node.return_info == "/CEB311Message/Order[1]/OrderHead/currency: must be one of 142"
    assert c.from_bytes(node.ori_biz_message.encode()).guid == c.from_bytes(data).guid
    assert [(h["msg_type"], h["status"]) for h in window.held(order_no)] == [("CEB311Message", "-1")]
    assert receiver.of("CEB312Message", order_no) == []


def test_the_official_samples_pass_the_format_check_but_their_signatures_are_not_filed(
        tmp_path, shared_dir, parties):
    standard = shared_dir / "standards" / "customs-2022"
    samples = {kind: (standard / "samples" / f"CEB{kind}Message.xml").read_bytes() for kind in SAMPLES}
    expected = sorted(RECEIPT_TYPE[f"CEB{kind}Message"] for kind, data in samples.items()
                      for _ in items_of(c.from_bytes(data)))
    with ReceiptReceiver() as receiver, running_customs(tmp_path, xsd_dir=standard) as window:
        parties.register(window, receiver.url)
        for kind, data in samples.items():
            assert window.send(data, cop_msg_id=f"SAMPLE-{kind}").json() == {
                "status": "received", "cop_msg_id": f"SAMPLE-{kind}"}
        deadline = time.monotonic() + 10
        while len(receiver.receipts()) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        found = receiver.receipts()
    assert sorted(r.msg_type for r in found) == expected  # one per business node, no CEB900
    assert {(r.status, r.info) for r in found} == {("100", ("签名无法验证 not signed by a filed certificate:"
                                                   " an RSA-SHA1 signature (as in the official samples):"
                                                   " cannot verify it here"))}


def test_the_official_xsd_refuses_what_it_refuses(tmp_path, shared_dir, parties):
    with ReceiptReceiver() as receiver, running_customs(
            tmp_path, xsd_dir=shared_dir / "standards" / "customs-2022") as window:
        parties.register(window, receiver.url)
        data = c.to_bytes(cm.order_message()).replace(b"<ceb:currency>142</ceb:currency>",
                                                      b"<ceb:currency>840</ceb:currency>", 1)
        window.send(data, cop_msg_id="XSD-1")
        [receipt] = receiver.wait_for("CEB900Message", "XSD-1")
    assert "does not match the fixed value constraint '142'" in receipt.info


# --- duplicates, cancellations, returns ----------------------------------------------------

def test_the_same_message_again_is_not_processed_twice_and_a_second_order_is_a_duplicate(
        window, parties, receiver):
    order_no = new_order_no()
    found = declaration_set(order_no)
    data = c.seal(found.order, parties.platform)
    first, again = window.send(data), window.send(data)
    assert (first.json().get("duplicate"), again.json()) == (None, {
        "status": "received", "cop_msg_id": again.json()["cop_msg_id"], "duplicate": True})
    window.send(c.seal(replace(found.order, guid=c.new_guid()), parties.platform))
    deadline = time.monotonic() + 10
    while len(receiver.of("CEB312Message", order_no)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert receiver.statuses("CEB312Message", order_no) == ["2", "120", "100"]
    assert receiver.of("CEB312Message", order_no)[2].info == (
        f"重复申报 duplicate: order {order_no} is already declared; change it with appType 2")


def _cancel(order_no: str, invt_no: str, parties: Parties) -> bytes:
    message = cm.cancel_message()
    cancel = replace(message.cancels[0], order_no=order_no, invt_no=invt_no, cop_no=order_no[-20:],
                     logistics_no="SX" + order_no[-10:])
    return c.seal(replace(message, cancels=(cancel,)), parties.agent)


def _give_back(order_no: str, invt_no: str, parties: Parties, qty: Decimal = Decimal(2)) -> bytes:
    message = cm.refund_message()
    refund = message.refunds[0]
    head = replace(refund.head, order_no=order_no, invt_no=invt_no, cop_no=order_no[-20:],
                   logistics_no="SX" + order_no[-10:])
    line = replace(refund.lines[0], qty=qty)
    return c.seal(replace(message, refunds=(replace(refund, head=head, lines=(line,)),)), parties.agent)


def test_a_list_cancelled_before_release_is_closed(tmp_path, parties):
    with ReceiptReceiver() as receiver, running_customs(tmp_path, step_delay_s=30) as window:
        parties.register(window, receiver.url)
        order_no = new_order_no()
        declare(window, declaration_set(order_no), parties)
        [taken] = receiver.wait_for("CEB622Message", order_no, final=("120",))
        window.send(_cancel(order_no, taken.message.returns[0].invt_no, parties))
        [cancelled] = receiver.wait_for("CEB624Message", order_no, final=("120", "100"))
        held = {h["msg_type"]: h["status"] for h in window.held(order_no)}
    assert (cancelled.status, cancelled.message.returns[0].invt_no) == ("120", taken.message.returns[0].invt_no)
    assert (held["CEB621Message"], held["CEB623Message"]) == ("899", "120")


def test_a_released_list_cannot_be_cancelled_but_can_be_returned_once(window, parties, receiver):
    order_no = new_order_no()
    declare(window, declaration_set(order_no), parties)
    released = receiver.wait_for("CEB622Message", order_no)[-1].message.returns[0]
    assert released.return_status == "800"
    window.send(_cancel(order_no, released.invt_no, parties))
    [refused] = receiver.wait_for("CEB624Message", order_no)
    assert (refused.status, refused.info) == ("100", "the inventory list was released: declare a return (CEB625) instead")
    window.send(_give_back(order_no, released.invt_no, parties, qty=Decimal(3)))
    window.send(_give_back(order_no, released.invt_no, parties))
    window.send(_give_back(order_no, released.invt_no, parties))
    deadline = time.monotonic() + 10
    while len(receiver.of("CEB626Message", order_no)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [(r.status, r.info) for r in receiver.of("CEB626Message", order_no)] == [
        ("100", "line 1: 3 returned, the list has 2"),
        ("120", "退货申请通过 return accepted"),
        ("100", f"重复申报 duplicate: a return of inventory list {released.invt_no} is already accepted"),
    ]


# --- transport --------------------------------------------------------------------------

def test_what_is_not_an_envelope_for_a_filed_sender_is_refused_at_once(window, parties):
    data = c.seal(declaration_set(new_order_no()).order, parties.platform)
    assert window.post(b"<not-dxp/>").status_code == 400
    assert "not a DXP envelope" in window.post(b"<not-dxp/>").json()["error"]
    stranger = window.send(data, sender_id="DXPENT0000009999")
    assert (stranger.status_code, stranger.json()["error"]) == (
        403, "SenderId DXPENT0000009999 has filed no party: POST /v1/parties first")
    elsewhere = window.post(c.wrap(data, sender_id=PLATFORM_DXP_ID, receiver_ids="DXPEDCCEB0000009"))
    assert elsewhere.json() == {"error": f"ReceiverIds does not name the single window ({WINDOW_DXP_ID})"}


def test_only_sm2_certificates_for_their_own_code_can_be_filed(window, shared_dir):
    sample = (shared_dir / "standards" / "customs-2022" / "samples" / "CEB311Message.xml").read_bytes()
    rsa = etree.fromstring(sample).find(f".//{DS}X509Certificate").text  # base64 with line breaks
    party = c.generate_party("Someone", "4403000001")

    def file(certificate: str, code: str) -> httpx.Response:
        return httpx.post(f"{window.url}/v1/parties", timeout=5, json={
            "dxp_id": "DXPENT0000000077", "customs_code": code, "name": "Someone", "certificate": certificate,
            "receipt_url": "http://127.0.0.1:9/receipts"})

    assert file(rsa, "4403000001").json() == {"error": "only SM2 certificates can be filed, not rsa"}
    mine = base64.b64encode(party.certificate).decode()
    assert file(mine, "4403000002").json() == {
        "error": "the certificate is for customs code 4403000001, not 4403000002"}
    assert file(mine, "4403000001").json()["registered"] is True


def test_receipts_are_retried_until_the_receiver_takes_them_and_arrive_in_order(tmp_path, parties):
    with ReceiptReceiver(fail_first=2) as receiver, running_customs(tmp_path) as window:
        window.register(parties.platform, receiver.url, dxp_id="DXPENTRETRY00001")
        order_no = new_order_no()
        window.send(c.seal(declaration_set(order_no).order, parties.platform), sender_id="DXPENTRETRY00001")
        found = receiver.wait_for("CEB312Message", order_no, final=("120",))
        deadline = time.monotonic() + 5
        while any(d["state"] != "delivered" for d in window.store.receipts("DXPENTRETRY00001")):
            assert time.monotonic() < deadline, window.store.receipts("DXPENTRETRY00001")
            time.sleep(0.02)
        deliveries = window.store.receipts("DXPENTRETRY00001")
    assert [r.status for r in found] == ["2", "120"]
    assert [(d["status"], d["state"], d["attempts"]) for d in deliveries] == [
        ("2", "delivered", 3), ("120", "delivered", 1)]


def test_a_party_filed_with_the_window_alone_is_held_to_its_own_store(tmp_path: Path):
    with running_customs(tmp_path) as window:
        assert (tmp_path / "customs" / "single_window.sqlite3").is_file()
        assert httpx.get(window.url + "/healthz", timeout=5).json() == {"status": "ok"}
