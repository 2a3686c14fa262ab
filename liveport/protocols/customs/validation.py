"""Validation before anything is sent (and on receipt, at the single window).

``validate(message, xsd_dir)``: with a directory holding the official ``ceb-import.xsd``
(and the ``xmldsig-core-schema.xsd`` it imports) the message is checked by lxml against it;
without one, by Liveport's own structural checks (structure.py). Either way a refused
message raises CustomsSchemaError listing every problem (path + rule).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from liveport.protocols.customs.codec import parse_xml
from liveport.protocols.customs.errors import (
    CustomsParseError,
    CustomsSchemaError,
    CustomsSchemaUnavailable,
    Problem,
)
from liveport.protocols.customs.formats import CEB_NS
from liveport.protocols.customs.structure import check_structure

CEB_SCHEMA = "ceb-import.xsd"
_MESSAGE_ROOT = re.compile(r"CEB\d{3}Message")
DXP_SCHEMA = "dxp-transport.xsd"


class _CompiledSchema:
    """An XMLSchema with a lock: one schema object keeps one error log, so concurrent
    validations through the same object would mix their errors."""

    def __init__(self, path: Path) -> None:
        try:
            self.schema = etree.XMLSchema(etree.parse(str(path)))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise CustomsSchemaUnavailable(f"cannot load the customs schema {path}: {exc}") from exc
        self.lock = threading.Lock()

    def problems(self, document: etree._Element) -> list[Problem]:
        with self.lock:
            if self.schema.validate(document):
                return []
            return [Problem(error.path or "/", f"{error.message} (line {error.line})") for error in self.schema.error_log]


@lru_cache(maxsize=8)
def _compiled(path: str) -> _CompiledSchema:
    return _CompiledSchema(Path(path))


def _schema_file(xsd_dir: Path, name: str) -> str:
    path = Path(xsd_dir) / name
    if not path.is_file():
        raise CustomsSchemaUnavailable(f"{path} not found: LIVEPORT_CUSTOMS_XSD_DIR must hold {name}")
    return str(path.resolve())


def _parsed(data: bytes, source: str) -> etree._Element:
    try:
        return parse_xml(data)
    except CustomsParseError as exc:
        raise CustomsSchemaError([Problem("/", str(exc))], source) from exc


def check_with_xsd(data: bytes, xsd_dir: Path, schema: str = CEB_SCHEMA) -> str:
    """Validate against an official schema file in ``xsd_dir``; return the root's name."""
    compiled = _compiled(_schema_file(xsd_dir, schema))
    root = _parsed(data, "xsd")
    qname = etree.QName(root)
    if schema == CEB_SCHEMA and not (qname.namespace == CEB_NS and _MESSAGE_ROOT.fullmatch(qname.localname)):
        # Every element of ceb-import.xsd is global: a bare OrderHead would pass the schema.
        raise CustomsSchemaError([Problem(f"/{qname.localname}", "the root must be a CEBnnnMessage")], "xsd")
    problems = compiled.problems(root)
    if problems:
        raise CustomsSchemaError(problems, "xsd")
    return etree.QName(root).localname


def validate(data: bytes, xsd_dir: Path | None = None) -> str:
    """The message type (``CEB621Message``...) if the message is well formed, else
    CustomsSchemaError. ``xsd_dir`` is Settings.customs_xsd_dir."""
    if xsd_dir is not None:
        return check_with_xsd(data, xsd_dir)
    return check_structure(data)
