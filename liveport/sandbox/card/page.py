"""The acquirer's hosted card page: the buyer types the card here, never at the merchant."""

from __future__ import annotations

from html import escape
from typing import Any

from liveport.protocols.payment_wire import ERROR_CODES

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Card payment (sandbox acquirer)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
.amount{{font-size:2rem;font-weight:600}} label{{display:block;margin:.8rem 0 .2rem}}
input,button{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}}
.refused{{color:#a40000}} .paid{{color:#006400}} small{{color:#555}}</style></head>
<body data-result="{result}" data-code="{code}">
<h1>Card payment</h1><p><small>Sandbox acquirer — test cards only.</small></p>
{body}
</body></html>"""


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def card_form(trade: dict[str, Any], action: str) -> str:
    identity = (
        '<label for="holder_id_no">Card holder ID number (cross-border order)</label>'
        '<input id="holder_id_no" name="holder_id_no" required autocomplete="off">'
        if trade["buyer_id_no"] else ""
    )
    body = f"""
<p>{escape(trade["description"])}<br><small>Order {escape(trade["out_trade_no"])}</small></p>
<p class="amount">{_yuan(trade["amount"])}</p>
<form method="post" action="{escape(action)}">
<label for="card_no">Card number</label>
<input id="card_no" name="card_no" inputmode="numeric" autocomplete="cc-number" required>
<label for="card_expiry">Expiry (MMYY)</label>
<input id="card_expiry" name="card_expiry" inputmode="numeric" autocomplete="cc-exp" required>
<label for="card_cvv">CVV</label>
<input id="card_cvv" name="card_cvv" inputmode="numeric" autocomplete="cc-csc" required>
<label for="holder_name">Card holder name</label>
<input id="holder_name" name="holder_name" autocomplete="cc-name">{identity}
<p><button type="submit">Pay</button></p></form>"""
    return _PAGE.format(result="pending", code="", body=body)


def paid_page(trade: dict[str, Any]) -> str:
    body = f'<p class="paid">Paid: {_yuan(trade["amount"])} · order {escape(trade["out_trade_no"])}</p>'
    return _PAGE.format(result="paid", code="SUCCESS", body=body)


def refused_page(code: str, reason: str | None = None) -> str:
    detail = f" ({escape(reason)})" if reason else ""
    body = (f'<p class="refused">Refused: <code>{escape(code)}</code>{detail} — '
            f'{escape(ERROR_CODES.get(code, code))}</p>')
    return _PAGE.format(result="refused", code=escape(code), body=body)
