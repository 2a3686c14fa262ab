"""Wallets: their configuration, and paying a trade from one (the operator's own rules).

A wallet has a category (1 = full real name in person … 4 = anonymous), a medium (``soft``:
phone app; ``hard``: card or wearable), a balance, and per-payment, daily and balance limits
(its own, else its category's). A sub-wallet (``parent_wallet_no``) spends its parent's
balance under its own limits and the parent's. Days are China-time days. A cross-border
trade (pre-ordered with the buyer's name and ID number) is paid only from a wallet whose
real-name owner is that buyer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from liveport.protocols.payment_wire import WireError
from liveport.sandbox.payment_provider.store import CHINA, TradeStore

DEFAULT_CONFIG = Path(__file__).with_name("default_wallets.json")
MAX_WRONG_PINS = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS wallets (
    wallet_no TEXT PRIMARY KEY,
    category INTEGER NOT NULL CHECK (category BETWEEN 1 AND 4),
    medium TEXT NOT NULL CHECK (medium IN ('soft', 'hard')),
    owner_name TEXT,
    owner_id_no TEXT,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    balance_limit INTEGER,
    per_payment_limit INTEGER,
    daily_limit INTEGER,
    parent_wallet_no TEXT REFERENCES wallets (wallet_no),
    pin_salt TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    wrong_pins INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS wallet_payments (
    trade_no TEXT PRIMARY KEY,
    wallet_no TEXT NOT NULL,
    funding_wallet_no TEXT NOT NULL,
    amount INTEGER NOT NULL,
    china_day TEXT NOT NULL
);
"""


def comparable_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def masked_wallet(wallet_no: str) -> str:
    return wallet_no[:4] + "*" * max(len(wallet_no) - 8, 0) + wallet_no[-4:]


def _fen(value: object, what: str) -> int | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{what} is not an amount") from exc
    if isinstance(value, float) or amount < 0 or (amount * 100) % 1 != 0:
        raise ValueError(f"{what} must be a non-negative yuan amount in fen steps, as text")
    return int(amount * 100)


def _pin_hash(pin: str, salt: str) -> str:
    # A 6-digit PIN has a million values whatever the hash: this only keeps PINs out of the
    # file in clear, and stays cheap because the demo seeds wallets at every start.
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), 1_000).hex()


def wallet_row(entry: dict[str, Any], categories: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A wallet of the configuration as a row; ValueError says what is wrong."""
    wallet_no = str(entry.get("wallet_no", ""))
    if not (wallet_no.isdigit() and 8 <= len(wallet_no) <= 24):
        raise ValueError("wallet_no is 8-24 digits")
    category = entry.get("category")
    if category not in (1, 2, 3, 4):
        raise ValueError(f"{wallet_no}: category is 1, 2, 3 or 4")
    if entry.get("medium") not in ("soft", "hard"):
        raise ValueError(f"{wallet_no}: medium is soft or hard")
    pin = str(entry.get("pin", ""))
    if not (pin.isdigit() and len(pin) == 6):
        raise ValueError(f"{wallet_no}: pin is 6 digits")
    owner_name, owner_id = entry.get("owner_name"), entry.get("owner_id_no")
    if (owner_id is None) != (owner_name is None) or (category == 4) != (owner_id is None):
        raise ValueError(f"{wallet_no}: category 1-3 wallets have owner_name and owner_id_no; category 4 none")
    defaults = categories.get(str(category), {})
    row = {
        "wallet_no": wallet_no,
        "category": category,
        "medium": entry["medium"],
        "owner_name": owner_name,
        "owner_id_no": None if owner_id is None else str(owner_id).strip().upper(),
        "balance": _fen(entry.get("balance", "0"), "balance") or 0,
        "parent_wallet_no": entry.get("parent_wallet_no"),
    }
    for limit in ("balance_limit", "per_payment_limit", "daily_limit"):
        row[limit] = _fen(entry.get(limit, defaults.get(limit)), limit)
    if row["balance_limit"] is not None and row["balance"] > row["balance_limit"]:
        raise ValueError(f"{wallet_no}: balance above the category's balance limit")
    row["pin_salt"] = secrets.token_hex(16)
    row["pin_hash"] = _pin_hash(pin, row["pin_salt"])
    return row


def load_config(path: Path | None) -> dict[str, Any]:
    return json.loads((path or DEFAULT_CONFIG).read_text(encoding="utf-8"))


class WalletStore(TradeStore):
    def __init__(self, path: Path, categories: dict[str, dict[str, Any]]) -> None:
        super().__init__(path, SCHEMA)
        self.categories = categories

    def wallet_count(self) -> int:
        with self.connection() as conn:
            return int(conn.execute("SELECT count(*) FROM wallets").fetchone()[0])

    def add_wallets(self, entries: list[dict[str, Any]]) -> int:
        rows = [wallet_row(e, self.categories) for e in entries]
        with self.transaction() as conn:
            for row in rows:
                try:
                    conn.execute(
                        f"INSERT INTO wallets ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                        tuple(row.values()),
                    )
                except sqlite3.IntegrityError as exc:
                    raise ValueError(f"{row['wallet_no']}: exists, or its parent does not") from exc
        return len(rows)

    def wallet(self, wallet_no: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM wallets WHERE wallet_no = ?", (wallet_no,)).fetchone()
        return None if row is None else dict(row)

    def list_wallets(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT wallet_no, category, medium FROM wallets ORDER BY wallet_no LIMIT ?", (limit,)
            ).fetchall()
        return [dict(r) for r in rows]

    def check_pin(self, wallet_no: str, pin: str) -> None:
        """Its own transaction, so a wrong PIN counts even though the payment is refused."""
        with self.transaction() as conn:
            wallet = conn.execute("SELECT * FROM wallets WHERE wallet_no = ?", (wallet_no,)).fetchone()
            if wallet is None:
                raise WireError("wallet_not_found", status=404)
            if wallet["wrong_pins"] >= MAX_WRONG_PINS:
                raise WireError("wallet_locked", status=423)
            if not hmac.compare_digest(_pin_hash(pin, wallet["pin_salt"]), wallet["pin_hash"]):
                conn.execute("UPDATE wallets SET wrong_pins = wrong_pins + 1 WHERE wallet_no = ?", (wallet_no,))
                wrong_pin = True
            else:
                conn.execute("UPDATE wallets SET wrong_pins = 0 WHERE wallet_no = ?", (wallet_no,))
                wrong_pin = False
        if wrong_pin:
            raise WireError("wrong_pin", status=403)

    @staticmethod
    def _spent_today(conn: sqlite3.Connection, wallet_no: str, day: str, as_funder: bool) -> int:
        column = "funding_wallet_no" if as_funder else "wallet_no"
        row = conn.execute(
            f"SELECT coalesce(sum(amount), 0) FROM wallet_payments WHERE {column} = ? AND china_day = ?",
            (wallet_no, day),
        ).fetchone()
        return int(row[0])

    def pay(self, token: str, wallet_no: str, pin: str, now: datetime) -> dict[str, Any]:
        self.check_pin(wallet_no, pin)
        day = now.astimezone(CHINA).date().isoformat()
        with self.transaction() as conn:
            trade = self.payable(conn, token, now)
            wallet = dict(conn.execute("SELECT * FROM wallets WHERE wallet_no = ?", (wallet_no,)).fetchone())
            if trade["buyer_id_no"] is not None:
                if wallet["owner_id_no"] is None:
                    raise WireError("payer_identity_unverified", status=403)
                if wallet["owner_id_no"] != trade["buyer_id_no"] or comparable_name(
                    wallet["owner_name"]
                ) != comparable_name(trade["buyer_name"]):
                    raise WireError("payer_mismatch", status=403)
            amount = trade["amount"]
            funding_no = wallet["parent_wallet_no"] or wallet_no
            funder = dict(conn.execute("SELECT * FROM wallets WHERE wallet_no = ?", (funding_no,)).fetchone())
            for limited, as_funder in ((wallet, False), (funder, True)):
                per_payment, daily = limited["per_payment_limit"], limited["daily_limit"]
                if per_payment is not None and amount > per_payment:
                    raise WireError("limit_exceeded", status=402, limit="per_payment")
                spent = self._spent_today(conn, limited["wallet_no"], day, as_funder)
                if daily is not None and spent + amount > daily:
                    raise WireError("limit_exceeded", status=402, limit="daily")
            debited = conn.execute(
                "UPDATE wallets SET balance = balance - ? WHERE wallet_no = ? AND balance >= ?",
                (amount, funding_no, amount),
            ).rowcount
            if debited != 1:
                raise WireError("insufficient_balance", status=402, limit="balance")
            conn.execute(
                "INSERT INTO wallet_payments (trade_no, wallet_no, funding_wallet_no, amount, china_day)"
                " VALUES (?, ?, ?, ?, ?)",
                (trade["trade_no"], wallet_no, funding_no, amount, day),
            )
            payer = {
                "payer_name": wallet["owner_name"],
                "payer_id_no": wallet["owner_id_no"],
                "payer_account": masked_wallet(wallet_no),
                "source": wallet_no,
            }
            self.mark_paid(conn, trade, payer, now)
            return {**trade, **payer, "state": "SUCCESS"}

    @staticmethod
    def credit_refund(conn: sqlite3.Connection, trade: dict[str, Any], amount: int) -> None:
        """Within the refund's transaction: the money goes back to the wallet that paid."""
        row = conn.execute(
            "SELECT funding_wallet_no FROM wallet_payments WHERE trade_no = ?", (trade["trade_no"],)
        ).fetchone()
        if row is None:
            raise WireError("order_not_paid", status=409)
        conn.execute("UPDATE wallets SET balance = balance + ? WHERE wallet_no = ?", (amount, row[0]))
