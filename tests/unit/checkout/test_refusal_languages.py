"""Every refusal a buyer can meet at checkout has a stable code and a message in English and
Chinese."""
from __future__ import annotations

import inspect

import liveport.buyers.domain as buyers_domain
import liveport.checkout.errors as checkout_errors
import liveport.orders.errors as order_errors
from liveport.buyers import consignees
from liveport.checkout import caps, refusals
from liveport.core.errors import AppError

MODULES = (consignees, buyers_domain, caps, checkout_errors, refusals, order_errors)


def _refusals() -> list[type[AppError]]:
    return [obj for module in MODULES for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, AppError) and obj.__module__ == module.__name__]


def test_every_refusal_speaks_both_languages():
    found = _refusals()
    assert len(found) >= 20
    for error in found:
        assert error.code not in {"app_error", "validation_error", "conflict", "not_found", "forbidden"}, error
        assert error.message_zh and any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh), error
        assert error.message and not any("\u4e00" <= ch <= "\u9fff" for ch in error.message), error
