"""The DXP transport envelope (``dxp:DxpMsg``, dxp-terminal.xsd) that carries each message.

TransInfo: CopMsgId (the sender's id of this transmission), SenderId, ReceiverIds/ReceiverId
(1–5), CreatTime (xs:dateTime, written in China time without a zone, to the second),
MsgType (``CEB311Message``...). Data: the message bytes in base64. AddInfo (FileName,
BizKey, ...) is optional; only FileName is written and read here.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from liveport.protocols.customs.codec import (
    XML_DECLARATION,
    elements,
    local_name,
    message_type,
    parse_xml,
)
from liveport.protocols.customs.errors import CustomsEncodingError, CustomsParseError
from liveport.protocols.customs.formats import CHINA_TIME

DXP_NS = "http://www.chinaport.gov.cn/dxp"
_ID = re.compile(r"[^\s]{1,16}")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_TRANS_INFO = ("CopMsgId", "SenderId", "ReceiverIds", "CreatTime", "MsgType")


@dataclass(frozen=True, slots=True)
class DxpEnvelope:
    cop_msg_id: str
    sender_id: str
    receiver_ids: tuple[str, ...]
    creat_time: datetime  # aware, China time, whole seconds
    msg_type: str
    data: bytes  # the customs message
    file_name: str | None = None


def _q(name: str) -> str:
    return f"{{{DXP_NS}}}{name}"


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise CustomsEncodingError(f"{what} is 1–16 characters without spaces")
    return value


def wrap(
    data: bytes,
    *,
    sender_id: str,
    receiver_ids: tuple[str, ...] | str,
    msg_type: str | None = None,
    cop_msg_id: str | None = None,
    creat_time: datetime | None = None,
    file_name: str | None = None,
) -> bytes:
    """``dxp:DxpMsg`` around a message; ``msg_type`` defaults to the message's root name."""
    receivers = (receiver_ids,) if isinstance(receiver_ids, str) else tuple(receiver_ids)
    if not 1 <= len(receivers) <= 5:
        raise CustomsEncodingError("a DXP message has 1–5 receivers")
    moment = creat_time or datetime.now(CHINA_TIME)
    if moment.tzinfo is None:
        raise CustomsEncodingError("creat_time must be an aware datetime")
    kind = msg_type or message_type(data)
    if len(kind) > 30:
        raise CustomsEncodingError("MsgType is at most 30 characters")
    copy_id = cop_msg_id or str(uuid.uuid4()).upper()
    if not 1 <= len(copy_id) <= 255:
        raise CustomsEncodingError("CopMsgId is 1–255 characters")
    root = etree.Element(_q("DxpMsg"), nsmap={"dxp": DXP_NS}, ver="1.0")
    trans = etree.SubElement(root, _q("TransInfo"))
    etree.SubElement(trans, _q("CopMsgId")).text = copy_id
    etree.SubElement(trans, _q("SenderId")).text = _check_id(sender_id, "SenderId")
    ids = etree.SubElement(trans, _q("ReceiverIds"))
    for receiver in receivers:
        etree.SubElement(ids, _q("ReceiverId")).text = _check_id(receiver, "ReceiverId")
    local = moment.astimezone(CHINA_TIME).replace(microsecond=0, tzinfo=None)
    etree.SubElement(trans, _q("CreatTime")).text = local.isoformat()
    etree.SubElement(trans, _q("MsgType")).text = kind
    etree.SubElement(root, _q("Data")).text = base64.b64encode(data).decode("ascii")
    if file_name is not None:
        if not 1 <= len(file_name) <= 255:
            raise CustomsEncodingError("FileName is 1–255 characters")
        add_info = etree.SubElement(root, _q("AddInfo"))
        etree.SubElement(add_info, _q("FileName")).text = file_name
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)


def _text(parent: etree._Element, name: str) -> str:
    element = parent.find(_q(name))
    if element is None or not (element.text or "").strip():
        raise CustomsParseError(f"DxpMsg: {name} missing")
    return element.text.strip()


def _creat_time(text: str) -> datetime:
    match = _DATETIME.fullmatch(text)
    if not match:
        raise CustomsParseError(f"DxpMsg: CreatTime is not an xs:dateTime: {text!r}")
    try:
        moment = datetime.fromisoformat(match.group(1) + (match.group(3) or "").replace("Z", "+00:00"))
    except ValueError as exc:
        raise CustomsParseError(f"DxpMsg: CreatTime is not a real time: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)
    return moment.astimezone(CHINA_TIME)


def unwrap(envelope: bytes) -> DxpEnvelope:
    """The envelope's fields and the message bytes (not yet validated)."""
    root = parse_xml(envelope)
    if root.tag != _q("DxpMsg") or root.get("ver") != "1.0":
        raise CustomsParseError('not a dxp:DxpMsg ver="1.0"')
    names = [local_name(child) for child in elements(root)]
    if names[:2] != ["TransInfo", "Data"]:
        raise CustomsParseError("DxpMsg: TransInfo then Data expected")
    trans = root.find(_q("TransInfo"))
    if [local_name(child) for child in elements(trans)] != list(_TRANS_INFO):
        raise CustomsParseError("DxpMsg: TransInfo needs " + ", ".join(_TRANS_INFO) + " in order")
    receivers = tuple((r.text or "").strip() for r in trans.find(_q("ReceiverIds")).findall(_q("ReceiverId")))
    if not 1 <= len(receivers) <= 5 or not all(receivers):
        raise CustomsParseError("DxpMsg: 1–5 ReceiverId expected")
    try:
        data = base64.b64decode("".join((root.find(_q("Data")).text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CustomsParseError("DxpMsg: Data is not base64") from exc
    if not data:
        raise CustomsParseError("DxpMsg: Data is empty")
    file_name = root.find(f"{_q('AddInfo')}/{_q('FileName')}")
    return DxpEnvelope(
        cop_msg_id=_text(trans, "CopMsgId"),
        sender_id=_text(trans, "SenderId"),
        receiver_ids=receivers,
        creat_time=_creat_time(_text(trans, "CreatTime")),
        msg_type=(trans.find(_q("MsgType")).text or "").strip(),
        data=data,
        file_name=file_name.text if file_name is not None else None,
    )
