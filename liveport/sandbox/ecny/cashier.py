"""The operator's cashier page: what the wallet owner sees after scanning the QR code or
following the cashier link. Plain HTML, no script: pick a wallet, type the PIN, confirm."""

from __future__ import annotations

from html import escape
from typing import Any

from liveport.protocols.payment_wire import ERROR_CODES

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>数字人民币收银台 · e-CNY cashier (sandbox)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
.amount{{font-size:2rem;font-weight:600}} label{{display:block;margin:.8rem 0 .2rem}}
input,select,button{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}}
.refused{{color:#a40000}} .paid{{color:#006400}} small{{color:#555}}</style></head>
<body data-result="{result}" data-code="{code}">
<h1>数字人民币 e-CNY</h1><p><small>Sandbox operator — no real money moves.</small></p>
{body}
</body></html>"""


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def payment_page(trade: dict[str, Any], wallets: list[dict[str, Any]], action: str) -> str:
    options = "".join(
        f'<option value="{escape(w["wallet_no"])}">{escape(w["wallet_no"])} · '
        f'category {w["category"]} · {escape(w["medium"])}</option>'
        for w in wallets
    )
    cross_border = (
        "<p>Cross-border order: only the buyer's own real-name wallet can pay. "
        "跨境订单：须由订购人本人实名钱包支付。</p>" if trade["buyer_id_no"] else ""
    )
    body = f"""
<p>{escape(trade["description"])}<br><small>Order {escape(trade["out_trade_no"])}</small></p>
<p class="amount">{_yuan(trade["amount"])}</p>{cross_border}
<form method="post" action="{escape(action)}">
<label for="wallet_no">Wallet 钱包</label>
<input id="wallet_no" name="wallet_no" list="wallets" inputmode="numeric" required autocomplete="off">
<datalist id="wallets">{options}</datalist>
<label for="pin">PIN 支付密码</label>
<input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]{{6}}" required>
<p><button type="submit">Pay 确认支付</button></p></form>"""
    return _PAGE.format(result="pending", code="", body=body)


def paid_page(trade: dict[str, Any]) -> str:
    body = (f'<p class="paid">Paid 支付成功: {_yuan(trade["amount"])} · '
            f'order {escape(trade["out_trade_no"])}</p>')
    return _PAGE.format(result="paid", code="SUCCESS", body=body)


def refused_page(code: str, limit: str | None = None) -> str:
    detail = f" ({escape(limit)})" if limit else ""
    body = (f'<p class="refused">Refused 支付失败: <code>{escape(code)}</code>{detail} — '
            f'{escape(ERROR_CODES.get(code, code))}</p>')
    return _PAGE.format(result="refused", code=escape(code), body=body)
