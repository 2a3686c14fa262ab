"""`liveport …` commands."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from liveport.core.errors import AppError
from liveport.core.secrets_file import init_secrets
from liveport.core.settings import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    update: dict[str, object] = {}
    for name in ("data_dir", "port", "host", "workers"):
        value = getattr(args, name, None)
        if value is not None:
            update[name] = Path(value) if name == "data_dir" else value
    if update:
        settings = settings.model_copy(update=update)
    return settings.with_file_secrets()


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from liveport.core.migrations import upgrade

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    print("database is at the latest revision")


def cmd_secrets_init(args: argparse.Namespace) -> None:
    settings = init_secrets(_settings(args))
    print(f"secrets in {settings.secrets_file}")


def cmd_serve(args: argparse.Namespace) -> None:
    from liveport.serving import serve

    settings = _settings(args)
    if settings.env == "production":
        for name in ("session_secret", "identity_key", "identity_hash_key"):
            settings.secret(name)
    serve(settings)


def cmd_users_provision(args: argparse.Namespace) -> None:
    from liveport.accounts.domain import Role
    from liveport.accounts.services import provision_users
    from liveport.buyers.provisioning import demo_identity_writer
    from liveport.context import build_context

    ctx = build_context(_settings(args))
    role = Role(args.role)
    try:
        writer = demo_identity_writer(ctx.identity) if role is Role.BUYER else None
        made = provision_users(ctx.db, role=role, count=args.count, prefix=args.prefix, on_created=writer,
                               secret=ctx.settings.secret("session_secret"))
    finally:
        ctx.close()
    lines = (json.dumps({"user_id": u.user_id, "email": u.email, "token": u.token}) + "\n" for u in made)
    if args.out:
        Path(args.out).write_text("".join(lines))
        print(f"{len(made)} {role.value} accounts with tokens written to {args.out}")
    else:
        sys.stdout.writelines(lines)


def cmd_demo(args: argparse.Namespace) -> None:
    from liveport.demo.runner import run_demo

    settings = _settings(args).model_copy(update={"env": "demo"})
    run_demo(settings, fresh=not args.keep)


def cmd_sandboxes(args: argparse.Namespace) -> None:
    from liveport.serving import serve_sandboxes

    settings = _settings(args)
    port = args.sandboxes_port or settings.sandbox_port or settings.port + 1
    base = f"http://{settings.host}:{port}"
    serve_sandboxes(settings.model_copy(update={"sandbox_base_url": base}), port)


def cmd_bench_frameworks(args: argparse.Namespace) -> None:
    from liveport.bench.frameworks import measure

    result = measure(seconds=args.seconds, runs=args.runs)
    print(json.dumps(result))


def cmd_bench_flash_sale(args: argparse.Namespace) -> None:
    from liveport.bench.flash_sale import run

    result = run(args.scenario, args.backend, smoke=args.smoke, connections=args.connections,
                 threads=args.threads)
    if not args.json:
        for key, value in result.items():
            print(f"{key:>24}  {value}")
    print(json.dumps(result))


def cmd_bench_room(args: argparse.Namespace) -> None:
    from liveport.realtime.bench import run_room_bench

    run_room_bench(args.viewers, args.seconds, args.events_per_s, args.json)


def cmd_bench_media(args: argparse.Namespace) -> None:
    from liveport.media.bench import run_media_bench

    run_media_bench(args.mode, args.seconds, args.json)


def cmd_payments_reconcile(args: argparse.Namespace) -> None:
    from datetime import date

    from liveport.context import build_context
    from liveport.core.clock import CHINA, utcnow
    from liveport.payments.reconcile import reconcile_day
    from liveport.payments.registry import providers

    day = date.fromisoformat(args.date) if args.date else utcnow().astimezone(CHINA).date()
    ctx = build_context(_settings(args))
    try:
        differences = reconcile_day(ctx.db, providers(ctx), day)
    finally:
        ctx.close()
    for d in differences:
        if not args.json:
            print(f"{d.provider} {d.reference}: {d.kind} (ledger {d.ledger_amount}, statement {d.statement_amount})")
    print(json.dumps({"date": day.isoformat(), "differences": [
        {"provider": d.provider, "reference": d.reference, "kind": d.kind,
         "ledger": None if d.ledger_amount is None else str(d.ledger_amount),
         "statement": None if d.statement_amount is None else str(d.statement_amount)} for d in differences]}))
    if differences:
        raise SystemExit(1)


def cmd_customs_export(args: argparse.Namespace) -> None:
    from liveport.context import build_context
    from liveport.customs.lifecycle import gateway_of

    ctx = build_context(_settings(args))
    try:
        held = gateway_of(ctx).messages(args.order)
    finally:
        ctx.close()
    wanted = {"CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message"}
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for message in held:  # oldest first: a later message of a type replaces an earlier one
        if message.msg_type in wanted:
            (out / f"{message.msg_type}.xml").write_text(message.xml, encoding="utf-8")
            written.append(message.msg_type)
    missing = sorted(wanted - set(written))
    print(json.dumps({"order": args.order, "dir": str(out), "written": sorted(set(written)), "missing": missing}))
    if missing:
        raise SystemExit(1)


def cmd_report(args: argparse.Namespace) -> None:
    from liveport.context import build_context
    from liveport.showreport.services import gather, write_report

    ctx = build_context(_settings(args))
    try:
        files = write_report(gather(ctx.db, args.show), Path(args.out))
    finally:
        ctx.close()
    print(json.dumps({"show": args.show, "dir": str(Path(args.out)), "files": files}))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liveport", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", dest="data_dir", help="data directory (LIVEPORT_DATA_DIR)")
        return p

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    common(db.add_parser("upgrade", help="migrate to the latest schema")).set_defaults(func=cmd_db_upgrade)

    sec = sub.add_parser("secrets", help="secret keys").add_subparsers(dest="secrets_command", required=True)
    common(sec.add_parser("init", help="create the data dir's secrets file")).set_defaults(func=cmd_secrets_init)

    serve = common(sub.add_parser("serve", help="run the production server (granian)"))
    serve.add_argument("--workers", type=int)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    users = sub.add_parser("users", help="accounts").add_subparsers(dest="users_command", required=True)
    prov = common(users.add_parser("provision", help="create many ready accounts with tokens"))
    prov.add_argument("--role", default="buyer", choices=["buyer", "host", "moderator", "operator"])
    prov.add_argument("--count", type=int, required=True)
    prov.add_argument("--prefix", default="crowd")
    prov.add_argument("--out", help="write JSON lines (user_id, email, token) to this file")
    prov.set_defaults(func=cmd_users_provision)

    demo = common(sub.add_parser("demo", help="a fresh embedded expo night, served at once"))
    demo.add_argument("--port", type=int)
    demo.add_argument("--host")
    demo.add_argument("--keep", action="store_true", help="keep the existing demo database")
    demo.set_defaults(func=cmd_demo)

    boxes = common(sub.add_parser("sandboxes", help="serve the sandboxes (the outside parties) on their own"))
    boxes.add_argument("--port", type=int, dest="sandboxes_port",
                       help="default: LIVEPORT_SANDBOX_PORT, else the server's port + 1")
    boxes.set_defaults(func=cmd_sandboxes)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench_command", required=True)
    fw = bench.add_parser("frameworks", help="bare Starlette vs FastAPI under granian and uvicorn")
    fw.add_argument("--seconds", type=float, default=5)
    fw.add_argument("--runs", type=int, default=3)
    fw.set_defaults(func=cmd_bench_frameworks)
    fs = bench.add_parser("flash-sale", help="the burst of a drop, end to end over HTTP")
    fs.add_argument("--scenario", choices=["pine-nuts", "candy"], default="candy")
    fs.add_argument("--backend", choices=["memory", "redis"], default="memory")
    fs.add_argument("--smoke", action="store_true", help="1/100 of the scenario's size")
    fs.add_argument("--connections", type=int, default=256)
    fs.add_argument("--threads", type=int, default=2, help="wrk threads")
    fs.add_argument("--json", action="store_true", help="print only the JSON line")
    fs.set_defaults(func=cmd_bench_flash_sale)
    room = bench.add_parser("room", help="viewers on WebSockets against a bare websockets baseline")
    room.add_argument("--viewers", type=int, default=5000)
    room.add_argument("--seconds", type=float, default=10)
    room.add_argument("--events-per-s", dest="events_per_s", type=float,
                      help="room events per second (default: 10 up to 5,000 viewers, then 5)")
    room.add_argument("--json", action="store_true", help="print only the JSON line")
    room.set_defaults(func=cmd_bench_room)
    media = bench.add_parser("media", help="camera-to-screen delay in headless chromium")
    media.add_argument("--mode", choices=["auto", "nginx", "embedded"], default="auto",
                       help="ingest (auto: managed nginx when installed)")
    media.add_argument("--seconds", type=float, default=20, help="measured, after a warm-up")
    media.add_argument("--json", action="store_true", help="print only the JSON line")
    media.set_defaults(func=cmd_bench_media)

    from liveport.rehearse.command import add_parser as add_rehearse

    add_rehearse(sub)
    report = common(sub.add_parser("report", help="a show's post-show report: HTML, PNG charts, CSV"))
    report.add_argument("--show", type=int, required=True, help="the show's id")
    report.add_argument("--out", required=True, help="the directory to write index.html and the files into")
    report.set_defaults(func=cmd_report)

    pay = sub.add_parser("payments", help="payments").add_subparsers(dest="payments_command", required=True)
    rec = common(pay.add_parser("reconcile", help="the ledger against each provider's statement of a day"))
    rec.add_argument("--date", help="a China-time day, YYYY-MM-DD (default: today)")
    rec.add_argument("--json", action="store_true", help="print only the JSON line")
    rec.set_defaults(func=cmd_payments_reconcile)

    cus = sub.add_parser("customs", help="customs declarations").add_subparsers(dest="customs_command", required=True)
    exp = common(cus.add_parser("export", help="an order's 311, 411, 511 and 621 as the single window holds them"))
    exp.add_argument("--order", required=True, help="the order number")
    exp.add_argument("--dir", required=True, help="where to write CEB311Message.xml etc.")
    exp.set_defaults(func=cmd_customs_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except AppError as exc:
        print(f"liveport: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
