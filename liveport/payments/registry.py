"""Which adapter speaks for each provider in this process (built from settings once; a test
or another deployment may put its own under ``PROVIDERS_KEY``)."""
from __future__ import annotations

from liveport.context import AppContext
from liveport.core.errors import ValidationFailed
from liveport.payments.adapters.card import CardAcquirerClient
from liveport.payments.adapters.ecny import EcnyOperator
from liveport.payments.domain import Provider
from liveport.payments.ports import PaymentProvider

PROVIDERS_KEY = "payments.providers"


class UnknownProvider(ValidationFailed):
    code = "unknown_payment_provider"
    message = "Pay with e-CNY (ecny) or by card (card)."
    message_zh = "请选择数字人民币（ecny）或银行卡（card）付款。"


def providers(ctx: AppContext) -> dict[str, PaymentProvider]:
    made = ctx.extras.get(PROVIDERS_KEY)
    if made is None:
        made = {Provider.ECNY.value: EcnyOperator.from_settings(ctx.settings),
                Provider.CARD.value: CardAcquirerClient.from_settings(ctx.settings)}
        ctx.extras[PROVIDERS_KEY] = made
    return made


def provider_for(ctx: AppContext, name: str) -> PaymentProvider:
    found = providers(ctx).get(name)
    if found is None:
        raise UnknownProvider(details={"provider": name})
    return found
