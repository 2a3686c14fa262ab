"""The e-CNY operator adapter: liveport.protocols.ecny over HTTP (all in HttpPaymentProvider)."""

from __future__ import annotations

from pathlib import Path

from liveport.core.settings import Settings
from liveport.payments.adapters.http_provider import HttpPaymentProvider
from liveport.payments.domain import Provider

SANDBOX_KEY_FILE = Path("sandbox") / "ecny" / "provider_public_key.hex"


class EcnyOperator(HttpPaymentProvider):
    provider = Provider.ECNY

    @classmethod
    def from_settings(cls, settings: Settings) -> EcnyOperator:
        key = settings.ecny_merchant_private_key
        return cls(
            settings.ecny_url or settings.sandbox_url("ecny"),
            settings.ecny_merchant_id,
            key.get_secret_value() if key else None,
            settings.ecny_operator_public_key
            or settings.ecny_operator_public_key_file
            or settings.data_dir / SANDBOX_KEY_FILE,
            settings.payments_timeout_s,
            max_skew_s=settings.payments_notification_max_age_s,
        )
