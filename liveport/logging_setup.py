"""Logging with a filter that masks resident ID numbers in every record."""
from __future__ import annotations

import logging
import re

# 17 digits + check char, not part of a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{3})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9Xx])")


def mask_id_numbers(text: str) -> str:
    return _ID_NUMBER.sub(lambda m: f"{m.group(1)}**********{m.group(2)}", text)


class IdNumberMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_configured = False


def configure_logging(level: str = "INFO") -> None:
    global _configured
    root = logging.getLogger()
    root.setLevel(level.upper())
    if _configured:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(IdNumberMaskingFilter())
    root.addHandler(handler)
    for existing in root.handlers:
        if not any(isinstance(f, IdNumberMaskingFilter) for f in existing.filters):
            existing.addFilter(IdNumberMaskingFilter())
    _configured = True
