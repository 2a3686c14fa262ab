"""The e-CNY operator's merchant interface (cross-border.md §8), on payment_wire's envelope.

Flow: the merchant pre-orders (``pre_order``, with ``buyer_name`` + ``buyer_id_no`` for a
cross-border order, whose payer must then be that person) and gets ``code_url`` — the QR
payload ``ecny://pay?token=…`` a wallet app scans — and ``cashier_url``, the operator's page
where the wallet owner picks a wallet and confirms with the PIN. When the payment succeeds the
operator POSTs a signed ``notification`` to ``notify_url``, again with back-off until the
merchant answers 200 ``{"code":"SUCCESS"}``. Then ``query``, ``refund`` (full or partial,
back to the paying wallet), ``statement`` (payments and refunds of a China-time day) and
``declare`` (the operator sends CEB411 to customs for the order).

The cashier's JSON answer (``Accept: application/json``) is unsigned: it goes to the wallet
owner's browser, not to the merchant — ``{"result": "paid", "out_trade_no", "trade_no"}`` or
``{"result": "refused", "code", "message", "limit"?}``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from liveport.protocols.trade_messages import Kind, register

QR_SCHEME = "ecny"
WALLET_CATEGORIES = (1, 2, 3, 4)
CASHIER_PATH = "/cashier/{token}"

# Sandbox only: the merchant adds test wallets with a signed request
# ``{"mch_id", "wallets": [{...wallet as in the sandbox's wallet configuration...}]}``.
SANDBOX_WALLETS_PATH = "/v1/sandbox/wallets"
register("sandbox_wallets", Kind(("mch_id",)), SANDBOX_WALLETS_PATH)


def code_url(token: str) -> str:
    return f"{QR_SCHEME}://pay?token={token}"


def token_of_code_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme != QR_SCHEME or parts.netloc != "pay":
        return None
    tokens = parse_qs(parts.query).get("token")
    return tokens[0] if tokens else None
