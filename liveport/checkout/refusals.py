"""Why the cross-border rules refuse a basket, told to the buyer in English and Chinese.

Each refusal is a ``ValidationFailed`` (HTTP 422) with a stable ``code``. It follows the
convention of ``liveport.core.errors.AppError``: ``exc.message`` is English, ``exc.message_zh``
Chinese (an attribute, not a ``details`` entry), both complete sentences with the amounts
filled in, and ``exc.message_in(lang)`` picks one. ``details`` stays plain JSON data: amounts
are strings with two decimals ("5000.00"), quantities plain decimal strings ("2.5").
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from liveport.core.errors import ValidationFailed

# Units a yearly cap is written in (customs unit codes, cross-border.md §7).
UNIT_NAMES = {"035": ("kg", "千克"), "036": ("g", "克"), "095": ("L", "升"), "096": ("ml", "毫升")}


def amount_text(amount: Decimal) -> str:
    """An amount as ``details`` carry it: two decimals, no separators."""
    return f"{amount:.2f}"


def quantity_text(quantity: Decimal) -> str:
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


class CheckoutRefused(ValidationFailed):
    code = "checkout_refused"
    message = "This order cannot be placed."
    message_zh = "无法提交此订单。"


class InvalidBasket(CheckoutRefused):
    """Malformed basket input; the ``code`` says which: empty_basket, invalid_quantity,
    invalid_price, invalid_amount, invalid_discount."""

    code = "invalid_basket"
    message = "The basket is not valid; please reload the page."
    message_zh = "购物车内容无效，请刷新页面后重试。"


def empty_basket() -> InvalidBasket:
    return InvalidBasket("Your basket is empty.", message_zh="购物车为空。", code="empty_basket")


def invalid_quantity(sku: str) -> InvalidBasket:
    return InvalidBasket(
        "Each item needs a whole quantity of at least 1.",
        message_zh="每件商品的数量须为不小于 1 的整数。",
        code="invalid_quantity",
        details={"sku": sku},
    )


def invalid_price(sku: str) -> InvalidBasket:
    return InvalidBasket(
        "This item has no valid price; please reload the page.",
        message_zh="该商品价格无效，请刷新页面后重试。",
        code="invalid_price",
        details={"sku": sku},
    )


def invalid_amount(field: str) -> InvalidBasket:
    return InvalidBasket(
        f"The {field} of this order is not a valid amount; please reload the page.",
        message_zh="订单中的金额无效，请刷新页面后重试。",
        code="invalid_amount",
        details={"field": field},
    )


def invalid_discount(discount: Decimal, goods_value: Decimal) -> InvalidBasket:
    return InvalidBasket(
        f"The discount ({_yuan(discount)}) cannot be larger than the goods ({_yuan(goods_value)}).",
        message_zh=f"优惠金额（{_yuan(discount)}）不能超过商品金额（{_yuan(goods_value)}）。",
        code="invalid_discount",
        details={"discount": amount_text(discount), "goods_value": amount_text(goods_value)},
    )


class OrderLimitExceeded(CheckoutRefused):
    code = "order_limit_exceeded"
    message = "This order is above the limit for one cross-border order; split it."
    message_zh = "本订单超过跨境电商单笔交易限值，请拆分后购买。"

    def __init__(
        self, limit: Decimal, value: Decimal, split: Sequence[Sequence[tuple[str, int]]]
    ) -> None:
        self.limit, self.value = limit, value
        self.split = [list(group) for group in split]
        n = len(self.split)
        super().__init__(
            f"This order is worth {_yuan(value)} including shipping, above the {_yuan(limit)} "
            f"allowed for one cross-border order. Please split it into {n} orders.",
            message_zh=f"本订单含运费的完税价格为 {_yuan(value)}，超过跨境电商单笔交易限值 "
            f"{_yuan(limit)}，请拆分为 {n} 个订单分别购买。",
            details={
                "limit": amount_text(limit),
                "dutiable_value": amount_text(value),
                "split": [[[sku, qty] for sku, qty in group] for group in self.split],
            },
        )


class AnnualQuotaExceeded(CheckoutRefused):
    code = "annual_quota_exceeded"
    message = "This order does not fit in your remaining yearly cross-border allowance."
    message_zh = "本订单超出您本年度剩余的跨境电商个人额度。"

    def __init__(self, remaining: Decimal, value: Decimal) -> None:
        self.remaining, self.value = remaining, value
        super().__init__(
            f"This order is worth {_yuan(value)} including shipping, but only {_yuan(remaining)} "
            "of your yearly cross-border allowance is left.",
            message_zh=f"本订单含运费的完税价格为 {_yuan(value)}，超出您本年度剩余的跨境电商"
            f"个人额度 {_yuan(remaining)}。",
            details={"remaining": amount_text(remaining), "dutiable_value": amount_text(value)},
        )


class NotOnPositiveList(CheckoutRefused):
    code = "not_on_positive_list"
    message = "An item of this order may not be sold as a cross-border retail import."
    message_zh = "订单中有商品不在跨境电商零售进口商品清单内。"

    def __init__(self, sku: str, name: str, hs_code: str) -> None:
        super().__init__(
            f"“{name}” cannot be sold as a cross-border retail import "
            f"(its customs code {hs_code} is not on the positive list).",
            message_zh=f"商品“{name}”不在跨境电商零售进口商品清单内（商品编码 {hs_code}），无法购买。",
            details={"sku": sku, "hs_code": hs_code},
        )


class BondedOnly(CheckoutRefused):
    code = "bonded_only"
    message = "An item of this order may only be shipped from a bonded warehouse in China."
    message_zh = "订单中有商品仅限从境内保税仓发货。"

    def __init__(self, sku: str, name: str, hs8: str) -> None:
        super().__init__(
            f"“{name}” may only be shipped from a bonded warehouse in China, "
            "and this stock is not held there.",
            message_zh=f"商品“{name}”仅限从境内保税仓发货（网购保税进口），当前库存无法发货。",
            details={"sku": sku, "hs8": hs8},
        )


class YearlyCapExceeded(CheckoutRefused):
    code = "yearly_cap_exceeded"
    message = "This order is above the yearly quantity one person may buy of an item."
    message_zh = "本订单超出某商品每人每年允许购买的数量。"

    def __init__(
        self,
        hs8: str,
        descriptions: tuple[str, str],  # (English, Chinese) from the positive list
        cap: Decimal,
        unit: str,
        used: Decimal,
        asked: Decimal,
    ) -> None:
        description_en, description_zh = descriptions
        en, zh = UNIT_NAMES.get(unit, (unit, unit))
        cap_t, used_t, asked_t = quantity_text(cap), quantity_text(used), quantity_text(asked)
        super().__init__(
            f"{description_en}: one person may buy at most {cap_t} {en} a year. You have bought "
            f"{used_t} {en} this year and this order has {asked_t} {en}.",
            message_zh=f"{description_zh}每人每年限购 {cap_t} {zh}；您本年度已购 {used_t} {zh}，"
            f"本单为 {asked_t} {zh}。",
            details={"hs8": hs8, "cap": cap_t, "unit": unit, "used": used_t, "asked": asked_t},
        )


class CapUnitMismatch(CheckoutRefused):
    """The catalog gives the legal quantity in a unit the yearly cap cannot be converted from
    (a catalog defect: the buyer can only wait for it to be fixed)."""

    code = "cap_unit_mismatch"
    message = "An item's yearly purchase limit cannot be checked right now."
    message_zh = "某商品的年度限购数量暂时无法核对。"

    def __init__(self, sku: str, name: str, unit: str, cap_unit: str) -> None:
        super().__init__(
            f"“{name}” has a yearly purchase limit that cannot be checked right now, "
            "so it cannot be ordered. Please contact support.",
            message_zh=f"商品“{name}”的年度限购数量暂时无法核对，因此暂不能下单，请联系客服。",
            details={"sku": sku, "unit": unit, "cap_unit": cap_unit},
        )
