"""Authorising and capturing a card payment: the acquirer's own rules."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from liveport.protocols import card
from liveport.protocols.payment_wire import WireError, utc_text
from liveport.sandbox.payment_provider.store import TradeStore, new_reference

SCHEMA = """
CREATE TABLE IF NOT EXISTS authorizations (
    auth_id TEXT PRIMARY KEY,
    trade_no TEXT NOT NULL UNIQUE REFERENCES trades (trade_no),
    amount INTEGER NOT NULL,
    card TEXT NOT NULL,
    holder_name TEXT,
    holder_id_no TEXT,
    state TEXT NOT NULL,
    authorized_at TEXT NOT NULL
);
"""


def card_problem(fields: dict[str, str], now: datetime) -> WireError | None:
    number = fields["card_no"]
    if not card.luhn_ok(number):
        return WireError("invalid_card", status=402)
    month, year = int(fields["card_expiry"][:2]), 2000 + int(fields["card_expiry"][2:])
    if (year, month) < (now.year, now.month):
        return WireError("invalid_card", "the card has expired", status=402)
    if number in card.DECLINED_CARDS:
        return WireError("card_declined", status=402, decline_reason=card.DECLINED_CARDS[number])
    return None


class CardStore(TradeStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA)

    def authorize(self, fields: dict[str, str], now: datetime, expires_at: datetime) -> dict[str, Any]:
        """A trade (new, or the pre-ordered one) and its authorisation; the same request
        again answers the same authorisation."""
        trade = self.create_trade(fields, now, expires_at)
        problem = card_problem(fields, now)
        if problem is not None:
            raise problem
        if trade["buyer_id_no"] is not None and fields.get("holder_id_no") != trade["buyer_id_no"]:
            raise WireError("payer_mismatch", status=403)
        with self.transaction() as conn:
            known = conn.execute("SELECT * FROM authorizations WHERE trade_no = ?", (trade["trade_no"],)).fetchone()
            if known is not None:
                return dict(known)
            row = {
                "auth_id": new_reference("A"),
                "trade_no": trade["trade_no"],
                "amount": trade["amount"],
                "card": card.masked(fields["card_no"]),
                "holder_name": fields.get("holder_name"),
                "holder_id_no": fields.get("holder_id_no"),
                "state": "AUTHORIZED",
                "authorized_at": utc_text(now),
            }
            conn.execute(
                f"INSERT INTO authorizations ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                tuple(row.values()),
            )
            return row

    def capture(self, mch_id: str, out_trade_no: str, amount: int, now: datetime) -> dict[str, Any]:
        trade = self.trade(mch_id, out_trade_no)
        with self.transaction() as conn:
            auth = conn.execute("SELECT * FROM authorizations WHERE trade_no = ?", (trade["trade_no"],)).fetchone()
            if auth is None:
                raise WireError("not_authorized", status=409)
            if auth["state"] == "CAPTURED":
                if trade["state"] == "SUCCESS" and amount == trade["amount"]:
                    return trade  # the same capture again
                raise WireError("order_paid", status=409)
            if amount <= 0 or amount > auth["amount"]:
                raise WireError("capture_exceeds_authorization", status=409)
            conn.execute("UPDATE authorizations SET state = 'CAPTURED' WHERE auth_id = ?", (auth["auth_id"],))
            # The captured amount is what was paid (a partial capture releases the rest).
            conn.execute("UPDATE trades SET amount = ? WHERE trade_no = ?", (amount, trade["trade_no"]))
            payer = {
                "payer_name": auth["holder_name"],
                "payer_id_no": auth["holder_id_no"],
                "payer_account": auth["card"],
                "source": auth["card"],
            }
            self.mark_paid(conn, {**trade, "amount": amount}, payer, now)
        return self.trade(mch_id, out_trade_no)

    @staticmethod
    def no_credit(_conn: sqlite3.Connection, _trade: dict[str, Any], _amount: int) -> None:
        """A card refund goes back to the card: the sandbox keeps no card balances."""
