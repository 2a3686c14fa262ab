"""Checkout refusals about the request itself (which product, which seller, which stock).

RECONSTRUCTED by the checkout-domain helper from their use in services.py after it overwrote
the lead's original file by mistake: statuses, codes and wording are guesses; check them.
The cross-border rules' refusals live in ``liveport.checkout.refusals``.
"""
from __future__ import annotations

from liveport.core.errors import Conflict, ValidationFailed


class UnknownProduct(ValidationFailed):  # a basket naming no product is bad input: 422
    code = "unknown_product"
    message = "No such product."
    message_zh = "没有这个商品。"


class AmbiguousSku(ValidationFailed):
    code = "ambiguous_sku"
    message = "Several products share that SKU; ask for the product by its id."
    message_zh = "多个商品使用这个 SKU，请按商品编号（product_id）选择。"


class OneSellerPerOrder(ValidationFailed):
    code = "one_seller_per_order"
    message = "An order holds goods of one seller only; place one order per seller."
    message_zh = "一个订单只能包含同一商家的商品，请按商家分别下单。"


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "No warehouse holds all of these goods right now."
    message_zh = "目前没有仓库能同时提供这些商品。"


class InvalidFreight(ValidationFailed):
    code = "invalid_freight"
    message = "The freight must be an amount in yuan with at most two decimals, within the maximum."
    message_zh = "运费须为最多两位小数的人民币金额，且不超过上限。"
