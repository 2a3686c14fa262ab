"""`liveport bench flash-sale`: the expo night's burst, measured end to end over HTTP.

One run: a fresh store (SQLite for the in-process gate, a private PostgreSQL schema and
Redis key prefix for the Redis gate), the demo catalogue, the scenario's buyers provisioned
in bulk with verified identities, a real server (granian: one worker for the in-process
gate, two for Redis), then three loads from wrk on loopback, in the same run:
1. the no-op route (same server, same stack, fixed JSON) for ``noop_per_s``;
2. the claim route with the gate replaced by one PostgreSQL transaction per claim, for
   ``sql_baseline_per_s``;
3. the burst: every buyer claims one unit once at the opening, one buyer in ten claims
   again beyond the limit. ``sellout_s`` runs from the burst's start until the server
   reports nothing left on sale (polled every 50 ms), load generator included.
Afterwards the drop is checked: ``oversold`` counts units over the stock plus identities
over the limit (from the database's copy of the reservations).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from liveport.bench.loadgen import WRK_REPORT, cpu_seconds_of_tree, free_port, run_wrk
from liveport.bench.routes import NOOP_PATH, SQL_CLAIM_PATH
from liveport.bench.sql_baseline import prepare as prepare_sql_baseline
from liveport.core.errors import ConfigurationError

CLAIM_SCRIPT = Path(__file__).with_name("claims.lua")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"


@dataclass(frozen=True)
class Scenario:
    name: str
    sku: str
    stock: int
    buyers: int
    limit: int
    price: str


SCENARIOS = {
    "pine-nuts": Scenario("pine-nuts", "AF-PINENUT-CAN-500", 120_000, 200_000, 2, "68.00"),
    "candy": Scenario("candy", "RU-KOROVKA-500", 100_000, 150_000, 5, "30.00"),
}
SMOKE_DIVISOR = 100


def scaled(scenario: Scenario, smoke: bool) -> Scenario:
    if not smoke:
        return scenario
    return Scenario(scenario.name, scenario.sku, scenario.stock // SMOKE_DIVISOR,
                    scenario.buyers // SMOKE_DIVISOR, scenario.limit, scenario.price)


def _environment(work: Path, backend: str, pg_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPORT_")}
    env.update({
        "LIVEPORT_ENV": "dev", "LIVEPORT_DATA_DIR": str(work), "LIVEPORT_LOG_LEVEL": "WARNING",
        "LIVEPORT_MEDIA_INGEST": "off",
        "LIVEPORT_BENCH_ROUTES": "1", "LIVEPORT_MOUNT_SANDBOXES": "0",
        # The bench is the only client and comes from one address: it sets its own limits.
        "LIVEPORT_RATE_LIMIT_PER_IP": "100000000", "LIVEPORT_CLAIM_RATE_LIMIT_PER_IP": "100000000",
        "LIVEPORT_FLASHSALE_HOLD_MINUTES": "60", "LIVEPORT_FLASHSALE_GATE": backend,
    })
    schema = f"lp_bench_{secrets.token_hex(4)}"
    sql_dsn = f"{pg_url}?options=-csearch_path%3D{schema}"
    env["LIVEPORT_BENCH_SQL_DSN"] = sql_dsn
    env["_LP_BENCH_SCHEMA"] = schema
    if backend == "redis":
        env["LIVEPORT_DATABASE_URL"] = sql_dsn
        env["LIVEPORT_REDIS_URL"] = redis_url
        env["LIVEPORT_FLASHSALE_REDIS_PREFIX"] = f"lp:bench:{schema}:"
        env["LIVEPORT_WORKERS"] = "2"
    return env


def _schema(pg_url: str, schema: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _seed(env: dict[str, str], scenario: Scenario, tokens_file: Path) -> dict[str, Any]:
    """Migrate, seed the demo night, stock the product, provision the buyers: in-process."""
    from liveport.accounts.domain import Principal, Role
    from liveport.accounts.services import provision_users
    from liveport.buyers.provisioning import demo_identity_writer
    from liveport.catalog.reference import current_positive_list
    from liveport.catalog.stock import set_stock
    from liveport.context import build_context
    from liveport.core.migrations import upgrade
    from liveport.core.secrets_file import init_secrets
    from liveport.core.settings import Settings
    from liveport.demo.seed import seed_demo_night

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        settings = init_secrets(Settings())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    try:
        password = secrets.token_urlsafe(12)
        night = seed_demo_night(ctx, password=password)
        operator = next(a for a in night.accounts if a.role == "operator")
        host = next(a for a in night.accounts if a.email.startswith("host@"))
        product_id = night.product_ids[scenario.sku]
        assert night.warehouse_id is not None
        set_stock(ctx.db, Principal(operator.user_id, Role.OPERATOR, "operator"), product_id,
                  night.warehouse_id, scenario.stock * 3, positive_list=current_positive_list(settings))
        started = time.perf_counter()
        made = provision_users(ctx.db, role=Role.BUYER, count=scenario.buyers, prefix="bench",
                               on_created=demo_identity_writer(ctx.identity),
                               secret=settings.secret("session_secret"))
        provision_s = time.perf_counter() - started
        tokens_file.write_text("".join(u.token + "\n" for u in made))
        return {"host_email": host.email, "password": password, "product_id": product_id,
                "warehouse_id": night.warehouse_id, "show_id": night.show_ids["silk-road"],
                "provision_s": round(provision_s, 2), "database_url": settings.resolved_database_url}
    finally:
        ctx.close()


class _Server:
    def __init__(self, env: dict[str, str], work: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(work / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "liveport.cli", "serve", "--port", str(self.port)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise ConfigurationError(f"bench server did not start; see {work / 'server.log'}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def _open_drop(server: _Server, seeded: dict[str, Any], scenario: Scenario) -> int:
    client = httpx.Client(base_url=server.url, timeout=30)
    token = client.post("/api/v1/auth/login", json={"email": seeded["host_email"],
                                                    "password": seeded["password"]}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    made = client.post("/api/v1/drops", headers=headers, json={
        "show_id": seeded["show_id"], "product_id": seeded["product_id"],
        "warehouse_id": seeded["warehouse_id"], "quantity": scenario.stock, "price": scenario.price,
        "per_buyer_limit": scenario.limit, "opens_at": datetime.now(UTC).isoformat()})
    if made.status_code != 201:
        raise ConfigurationError(f"could not create the drop: {made.text}")
    drop_id = int(made.json()["id"])
    opened = client.post(f"/api/v1/drops/{drop_id}/open", headers=headers, json={})
    if opened.status_code != 200:
        raise ConfigurationError(f"could not open the drop: {opened.text}")
    return drop_id


def _fixed_load(server: _Server, path: str, token: str, seconds: float, connections: int) -> dict[str, Any]:
    """wrk at a fixed POST for ``seconds``: requests/s and the CPU both sides used."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.body = \'{"qty":1}\'\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            'local n = 0\nrequest = function()\n  n = n + 1\n'
            '  wrk.headers["Idempotency-Key"] = "fixed-" .. n .. "-" .. math.random(1e9)\n'
            '  return wrk.format()\nend\n' + WRK_REPORT)
    cpu = cpu_seconds_of_tree(server.process.pid)
    raw = run_wrk("wrk", script.name, server.url + path, 2, connections, seconds)
    os.unlink(script.name)
    wall = raw["duration_us"] / 1e6
    return {"per_s": round(raw["requests"] / wall, 1),
            "server_cpu_s": round(cpu_seconds_of_tree(server.process.pid) - cpu, 2),
            "loadgen_cpu_s": round(raw["wrk_cpu_s"], 2)}


def _burst(server: _Server, drop_id: int, tokens_file: Path, scenario: Scenario,
           connections: int, threads: int, timeout_s: float) -> dict[str, Any]:
    """Fire the plan; the burst is over once the drop sold out and the server went quiet
    (the script idles its connections when its plan is sent)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(timeout_s)}s", "--timeout", "10s",
               "-s", str(CLAIM_SCRIPT), f"{server.url}/api/v1/drops/{drop_id}/claims", "--",
               str(tokens_file), f"/api/v1/drops/{drop_id}/claims", str(threads), "10",
               str(scenario.limit)]
    poll = httpx.Client(base_url=server.url, timeout=5)
    cpu_start = last_cpu = cpu_seconds_of_tree(server.process.pid)
    started = time.perf_counter()
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sellout_s = None
    busy_until = started
    quiet_windows = 0
    # wrk is reaped here only, by wait4, which hands back its own rusage; Popen.poll and
    # send_signal would reap it first (a zombie keeps its pid, so os.kill stays safe).
    usage = None
    while usage is None and time.perf_counter() - started < timeout_s:
        pid, _, finished = os.wait4(wrk.pid, os.WNOHANG)
        if pid == wrk.pid:
            usage = finished
            break
        time.sleep(0.05)
        now = time.perf_counter()
        if sellout_s is None and poll.get(f"/api/v1/drops/{drop_id}").json().get("on_sale") == 0:
            sellout_s = now - started
        cpu = cpu_seconds_of_tree(server.process.pid)
        if cpu - last_cpu > 0.05 * 0.05 * 4:  # more than a fifth of a core in this window
            busy_until, quiet_windows = now, 0
        else:
            quiet_windows += 1
        last_cpu = cpu
        if sellout_s is not None and quiet_windows >= 10:
            break
    if usage is None:
        os.kill(wrk.pid, signal.SIGINT)
    assert wrk.stdout is not None
    output = wrk.stdout.read().decode(errors="replace")
    if usage is None:
        _, _, usage = os.wait4(wrk.pid, 0)
    wrk.returncode = 0  # reaped above: keeps Popen from waiting on a pid that is gone
    server_cpu = cpu_seconds_of_tree(server.process.pid) - cpu_start
    line = next((x for x in output.splitlines() if x.startswith("LPJSON ")), None)
    if line is None:
        raise ConfigurationError(f"wrk gave no report: {output[-1500:]}")
    return {"report": json.loads(line[len("LPJSON "):]), "answered_s": busy_until - started,
            "sellout_s": sellout_s, "server_cpu_s": server_cpu,
            "loadgen_cpu_s": usage.ru_utime + usage.ru_stime}


def _over_limit(database_url: str, drop_id: int, limit: int) -> int:
    from liveport.core.db import Database

    db = Database(database_url)
    try:
        with db.reader() as session:
            return int(session.execute(text(
                "SELECT count(*) FROM (SELECT buyer_key FROM flash_reservations "
                "WHERE drop_id = :d AND status != 'released' GROUP BY buyer_key "
                "HAVING sum(qty) > :l) AS over"), {"d": drop_id, "l": limit}).scalar_one())
    finally:
        db.dispose()


def _redis_benchmark(env: dict[str, str], requests: int) -> float:
    """``redis-benchmark -P 1 -c 50`` running the gate's own claim script on the same Redis."""
    from liveport.flashsale.bench_gate import redis_benchmark_baseline

    return float(redis_benchmark_baseline(env["LIVEPORT_REDIS_URL"], requests=requests,
                                          clients=50)["requests_per_s"])


def run(scenario_name: str, backend: str, *, smoke: bool = False, connections: int = 256,
        threads: int = 2, pg_url: str = DEFAULT_PG, redis_url: str = DEFAULT_REDIS,
        fixed_s: float = 5.0) -> dict[str, Any]:
    scenario = scaled(SCENARIOS[scenario_name], smoke)
    work = Path(tempfile.mkdtemp(prefix="lp-bench-"))
    env = _environment(work, backend, pg_url, redis_url)
    schema = env.pop("_LP_BENCH_SCHEMA")
    _schema(pg_url, schema, create=True)
    tokens_file = work / "tokens.txt"
    try:
        seeded = _seed(env, scenario, tokens_file)
        server = _Server(env, work)
        try:
            drop_id = _open_drop(server, seeded, scenario)
            prepare_sql_baseline(env["LIVEPORT_BENCH_SQL_DSN"], drop_id, 10_000_000)
            first_token = tokens_file.open().readline().strip()
            seconds = 2.0 if smoke else fixed_s
            noop = _fixed_load(server, NOOP_PATH, first_token, seconds, connections)
            sql = _fixed_load(server, SQL_CLAIM_PATH.format(drop_id=drop_id), first_token,
                              seconds, min(connections, 64))
            burst = _burst(server, drop_id, tokens_file, scenario, connections, threads,
                           timeout_s=120 if smoke else 600)
            time.sleep(0.5 if backend == "redis" else 6)  # let the copy to the database catch up
            drop = httpx.get(f"{server.url}/api/v1/drops/{drop_id}", timeout=10).json()
        finally:
            server.stop()
        over_limit = _over_limit(seeded["database_url"], drop_id, scenario.limit)
        report = burst["report"]
        outcomes = report["outcomes"]
        taken = int(drop["reserved"] or 0) + int(drop["sold"] or 0)
        claims = sum(outcomes.values())  # answers counted (= claims sent unless some failed)
        claims_per_s = claims / burst["answered_s"]
        result: dict[str, Any] = {
            "scenario": scenario.name, "backend": backend, "smoke": smoke, "stock": scenario.stock,
            "buyers": scenario.buyers, "limit": scenario.limit, "claims": claims,
            "sold": taken, "oversold": max(0, taken - scenario.stock) + over_limit,
            "identities_over_limit": over_limit, "claims_sent": int(report["claims_sent"]),
            "accounting_ok": int(drop["on_sale"]) + taken == scenario.stock,
            "outcomes": outcomes, "http_errors": sum(report[k] for k in (
                "connect_errors", "read_errors", "write_errors", "timeouts")),
            "sellout_s": round(burst["sellout_s"], 3) if burst["sellout_s"] is not None else None,
            "claims_per_s": round(claims_per_s, 1),
            "p50_ms": report["p50_us"] / 1000, "p99_ms": report["p99_us"] / 1000,
            "server_cpu_s": round(burst["server_cpu_s"], 2),
            "loadgen_cpu_s": round(burst["loadgen_cpu_s"], 2),
            "noop_per_s": noop["per_s"], "ratio_to_noop": round(claims_per_s / noop["per_s"], 3),
            "noop_loadgen_cpu_s": noop["loadgen_cpu_s"],
            "sql_baseline_per_s": sql["per_s"],
            "ratio_to_sql": round(claims_per_s / sql["per_s"], 2) if sql["per_s"] else None,
            "provision_s": seeded["provision_s"], "connections": connections, "wrk_threads": threads,
        }
        if backend == "redis":
            per_s = _redis_benchmark(env, 20_000 if smoke else 200_000)
            result["redis_benchmark_per_s"] = per_s
            result["ratio_to_redis_benchmark"] = round(claims_per_s / per_s, 3) if per_s else None
        return result
    finally:
        _schema(pg_url, schema, create=False)
