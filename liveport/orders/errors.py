"""Order refusals, each with a stable code and a message in English and Chinese."""
from __future__ import annotations

from liveport.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "No such order."
    message_zh = "没有这个订单。"


class IdentityRequired(Forbidden):
    code = "identity_required"
    message = "Verify your real-name identity before placing a cross-border order."
    message_zh = "跨境订单须先完成实名认证。"


class ConsigneeRequired(ValidationFailed):
    code = "consignee_required"
    message = "Choose a delivery address (consignee_id) for the order."
    message_zh = "请选择收货地址（consignee_id）。"


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    message = "Send an Idempotency-Key header (one per order; repeat it to retry)."
    message_zh = "请求须带 Idempotency-Key 头（每个订单一个，重试时重复使用）。"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "That Idempotency-Key was used for a different order request."
    message_zh = "这个 Idempotency-Key 已用于另一个不同的下单请求。"


class ReservationUnusable(Conflict):
    code = "reservation_unusable"
    message = "That reservation is not yours, has expired, or was already used."
    message_zh = "该抢购名额不属于你、已过期或已被使用。"


class QuotaRaceLost(Conflict):
    """Checked a moment ago, taken by another order of the same person since."""

    code = "annual_quota_exceeded"
    message = "This order no longer fits in your annual cross-border quota."
    message_zh = "本单已超出你本年度剩余的跨境电商年度限额。"


class YearlyCapRaceLost(Conflict):
    code = "yearly_cap_exceeded"
    message = "This order no longer fits in the yearly quantity allowed for one of its goods."
    message_zh = "本单中某商品已超出每人每年允许购买的数量。"
