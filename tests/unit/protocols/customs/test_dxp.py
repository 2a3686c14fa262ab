"""The dxp:DxpMsg envelope: wrap, unwrap, refusals."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from liveport.protocols import customs as c
from tests.support import customs_messages as cm

SENT = datetime(2024, 5, 1, 12, 30, 15, 999, tzinfo=UTC)


def test_wrap_then_unwrap_gives_the_message_and_the_transport_fields():
    data = c.to_bytes(cm.order_message())
    envelope = c.wrap(data, sender_id="DXPENT0000000001", receiver_ids=("DXPEDCCEB0000002", "DXPLOG0000000009"),
                      cop_msg_id="LP-311-0001", creat_time=SENT, file_name="CEB311Message.xml")
    opened = c.unwrap(envelope)
    assert opened == c.DxpEnvelope(
        cop_msg_id="LP-311-0001", sender_id="DXPENT0000000001",
        receiver_ids=("DXPEDCCEB0000002", "DXPLOG0000000009"),
        creat_time=datetime(2024, 5, 1, 20, 30, 15, tzinfo=c.CHINA_TIME), msg_type="CEB311Message",
        data=data, file_name="CEB311Message.xml",
    )
    assert b"<dxp:CreatTime>2024-05-01T20:30:15</dxp:CreatTime>" in envelope
    assert b'ver="1.0"' in envelope


@pytest.mark.parametrize(
    ("arguments", "message_part"),
    [
        ({"receiver_ids": ()}, "1–5 receivers"),
        ({"receiver_ids": tuple(f"R{i}" for i in range(6))}, "1–5 receivers"),
        ({"receiver_ids": "R1", "sender_id": "S" * 17}, "SenderId"),
        ({"receiver_ids": "R1", "creat_time": datetime(2024, 5, 1)}, "aware"),
    ],
)
def test_wrap_refuses_what_the_envelope_cannot_carry(arguments, message_part):
    with pytest.raises(c.CustomsEncodingError, match=message_part):
        c.wrap(c.to_bytes(cm.order_message()), **{"sender_id": "S1", **arguments})


def _envelope(data_text: str = "PHg+PC94Pg==", creat_time: str = "2024-05-01T20:30:15Z") -> bytes:
    return (
        '<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0"><dxp:TransInfo>'
        "<dxp:CopMsgId>1</dxp:CopMsgId><dxp:SenderId>S</dxp:SenderId><dxp:ReceiverIds>"
        f"<dxp:ReceiverId>R</dxp:ReceiverId></dxp:ReceiverIds><dxp:CreatTime>{creat_time}</dxp:CreatTime>"
        f"<dxp:MsgType>CEB312Message</dxp:MsgType></dxp:TransInfo><dxp:Data>{data_text}</dxp:Data></dxp:DxpMsg>"
    ).encode()


def test_a_zoned_creation_time_is_read_in_china_time():
    opened = c.unwrap(_envelope())
    assert opened.creat_time == datetime(2024, 5, 2, 4, 30, 15, tzinfo=c.CHINA_TIME)
    assert opened.data == base64.b64decode("PHg+PC94Pg==")


@pytest.mark.parametrize(
    ("envelope", "message_part"),
    [
        (_envelope(data_text="not base64!"), "Data is not base64"),
        (_envelope(creat_time="yesterday"), "CreatTime"),
        (_envelope().replace(b'ver="1.0"', b'ver="2.0"'), "DxpMsg"),
        (_envelope().replace(b"<dxp:CopMsgId>1</dxp:CopMsgId>", b""), "TransInfo needs"),
    ],
)
def test_unwrap_refuses_a_broken_envelope(envelope, message_part):
    with pytest.raises(c.CustomsParseError, match=message_part):
        c.unwrap(envelope)
