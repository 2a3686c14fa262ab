"""`liveport rehearse`: the command line of the crowd simulator (its parser and entry point)."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from liveport.core.settings import Settings
from liveport.rehearse.errors import RehearsalRefused

PASSWORD_ENV = "LIVEPORT_REHEARSE_PASSWORD"
DESCRIPTION = """\
Rehearse an expo night against a running Liveport (docs/rehearsal.md).

Acting as the expo's operator (--operator-email; the password from $LIVEPORT_REHEARSE_PASSWORD,
else $LIVEPORT_DEMO_PASSWORD, e.g. `LIVEPORT_DEMO_PASSWORD=… make demo`), it provisions the
buyers in bulk (POST /api/v1/users/provision), opens each a wallet in the server's sandbox
e-CNY operator (signed with the merchant key of the server's secrets file: run it with the
server's data dir), seats the viewers in the show's room (they chat and like), then creates
a drop of the lineup product with the most stock and opens it with a countdown. Buyers claim
at the opening instant, check out and pay at the e-CNY cashier (some late, some walk away).
Once customs has released the paid orders it checks the invariants and prints a JSON report
as its last line; the exit status is 1 when an invariant fails.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = sub.add_parser("rehearse", help="a crowd simulator: viewers, a drop, buyers, invariants",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="the server under rehearsal (loopback unless --allow-remote)")
    p.add_argument("--viewers", type=int, required=True, help="WebSocket viewers in the room (≤ 20,000)")
    p.add_argument("--buyers", type=int, required=True, help="buyers provisioned for the drop (≤ 50,000)")
    p.add_argument("--show", type=int, help="the show (default: the first live show)")
    p.add_argument("--product", type=int, help="the lineup product to drop (default: the most stocked)")
    p.add_argument("--units", type=int, help="units in the drop (default: one per buyer, at most the stock)")
    p.add_argument("--limit", type=int, default=2, help="units per buyer (default 2)")
    p.add_argument("--countdown", type=int, default=5, help="seconds between opening and the first sale")
    p.add_argument("--late", type=float, default=20.0, help="the latest a late payer pays, seconds after checkout")
    p.add_argument("--settle", type=float, default=600.0, help="how long to wait for customs to release")
    p.add_argument("--connections", type=int, default=64, help="the simulator's HTTP connections")
    p.add_argument("--seed", type=int, default=2026, help="the crowd's random seed")
    p.add_argument("--operator-email", default="operator@demo.liveport.test")
    p.add_argument("--data-dir", dest="data_dir", help="the server's data dir, for the sandbox merchant key")
    p.add_argument("--allow-remote", action="store_true", help="the server is not on this machine, but yours")
    p.add_argument("--json", action="store_true", help="no progress on stderr; print only the JSON line")
    p.set_defaults(func=run_command)
    return p


def _password(settings: Settings) -> str:
    password = os.environ.get(PASSWORD_ENV) or (
        settings.demo_password.get_secret_value() if settings.demo_password else None)
    if not password:
        raise RehearsalRefused(f"Give the operator's password in ${PASSWORD_ENV} (or $LIVEPORT_DEMO_PASSWORD).",
                               code="rehearsal_no_password")
    return password


def run_command(args: argparse.Namespace) -> None:
    from liveport.cli import _settings
    from liveport.rehearse.runner import Plan, rehearse

    settings = _settings(args)
    bounded = (1 <= args.buyers <= 50_000, 0 <= args.viewers <= 20_000, 1 <= args.limit <= 99,
               0 <= args.countdown <= 600, 0 <= args.late <= 300, 1 <= args.connections <= 1024)
    if not all(bounded):
        raise RehearsalRefused("Out of bounds: --buyers 1-50,000, --viewers 0-20,000, --limit 1-99, "
                               "--countdown 0-600, --late 0-300, --connections 1-1024.", code="rehearsal_bad_size")
    plan = Plan(url=args.url, viewers=args.viewers, buyers=args.buyers, operator_email=args.operator_email,
                operator_password=_password(settings), merchant_id=settings.ecny_merchant_id,
                merchant_key=settings.secret("ecny_merchant_private_key"), show_id=args.show,
                product_id=args.product, units=args.units, per_buyer_limit=args.limit, countdown_s=args.countdown,
                late_max_s=args.late, settle_s=args.settle, connections=args.connections, seed=args.seed,
                allow_remote=args.allow_remote, ecny_url=settings.ecny_url)
    report = asyncio.run(rehearse(plan, quiet=args.json))
    if not args.json:
        for name, holds in report["invariants"].items():
            print(f"{'ok  ' if holds else 'FAIL'} {name}", file=sys.stderr)
            for problem in report["problems"].get(name, []):
                print(f"       {problem}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))
    if not all(report["invariants"].values()):
        raise SystemExit(1)
