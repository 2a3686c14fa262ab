"""Every domain's tables, imported in one place for migrations and schema checks."""
from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from liveport.core.db import Base

MODEL_MODULES = (
    "liveport.accounts.models",
    "liveport.buyers.models",
    "liveport.core.outbox.models",
    "liveport.catalog.models",
    "liveport.shows.models",
    "liveport.flashsale.models",
    "liveport.realtime.models",
    "liveport.media.models",
    "liveport.orders.models",
    "liveport.payments.models",
    "liveport.customs.models",
    "liveport.webhooks.models",
    "liveport.fulfilment.models",
    "liveport.analytics.models",
)


def metadata() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
