"""Typed settings, read from ``LIVEPORT_*`` environment variables.

Nothing here connects to anything: reading settings is pure, so importing a module never
opens a database or a socket.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRETS_FILE_NAME = "secrets.json"


class CustomsParties(BaseSettings):
    """The platform's own customs registration codes (cross-border.md §6: never constants)."""

    model_config = SettingsConfigDict(env_prefix="LIVEPORT_CUSTOMS_", extra="ignore")

    ebp_code: str = Field("4403169D3W", max_length=18)
    ebp_name: str = "Liveport Expo Live Platform"
    agent_code: str = Field("4403180X7R", max_length=18)
    agent_name: str = "Liveport Customs Brokerage"
    assure_code: str = Field("4403169D3W", max_length=18)
    customs_code: str = Field("5165", max_length=4)
    port_code: str = Field("5165", max_length=4)
    ems_no: str = "T5165W000001"
    area_code: str = "4403610001"
    area_name: str = "Liveport Bonded Logistics Centre"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVEPORT_", extra="ignore")

    env: Literal["dev", "demo", "test", "production"] = "dev"
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    # Threads of each worker's event loop for blocking calls (asyncio.to_thread: database
    # units of work, signatures). Python's default is min(32, cores + 4), six on two cores,
    # and a payment notification then waits behind every other to_thread of the server.
    blocking_threads: int = Field(32, ge=4, le=256)
    # How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).
    # A unit of work releases the GIL at every SQL statement and must win it back for the
    # next; at 5 ms a time, a transaction of twenty statements holds the database's one
    # writer slot for 100 ms while the room or a signature runs (docs/adr/0014).
    gil_switch_interval_ms: float = Field(0.5, gt=0, le=5)
    public_url: str | None = None

    # Secrets. In dev and demo they may come from the data dir's secrets file (made by
    # `liveport secrets init`); in production they must be given.
    session_secret: SecretStr | None = None
    identity_key: SecretStr | None = None
    identity_hash_key: SecretStr | None = None

    # The demo's shared account password; a fresh random one is printed when unset.
    demo_password: SecretStr | None = None

    # Benchmark-only routes (liveport/bench/routes.py); never on in production.
    bench_routes: bool = False
    bench_sql_dsn: str | None = None

    log_level: str = "INFO"
    token_cache_seconds: float = Field(30.0, ge=0)
    session_days: int = Field(14, ge=1)

    rate_limit_per_account: int = Field(120, ge=1, description="requests per window")
    rate_limit_per_ip: int = Field(600, ge=1, description="requests per window")
    rate_limit_window_s: int = Field(60, ge=1)
    rate_limit_enabled: bool = True

    outbox_dispatcher: bool = True
    outbox_poll_s: float = Field(0.5, gt=0)
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_backoff_base_s: float = Field(1.0, gt=0)

    # The sandboxes (stand-ins for outside parties) are mounted in the same process in dev,
    # demo and test; adapters still reach them over HTTP at these URLs.
    mount_sandboxes: bool = True
    # When the sandboxes run as their own server (the demo: `liveport sandboxes`, ADR 0014),
    # where it answers; None: mounted on this server. Each party is at {this}/sandbox/{name}.
    sandbox_base_url: str | None = Field(None, pattern=r"^https?://[^\s/]+$")
    sandbox_port: int | None = Field(None, ge=1, le=65535)  # the demo's sandbox server (None: any free port)
    identity_verifier_url: str | None = None
    # Signs requests to the identity verifier (HMAC); the sandbox is given the same key.
    identity_verifier_key: SecretStr | None = None
    outbound_timeout_s: float = Field(5.0, gt=0)

    # Payment providers (liveport.payments, ADR 0010). A None URL means the mounted sandbox
    # (/sandbox/ecny, /sandbox/card on this server). Merchant keys are SM2 private keys (hex),
    # from the environment or the secrets file; a provider's public key is given as hex or
    # read from a file (default: the one the mounted sandbox writes in the data dir).
    ecny_url: str | None = None
    ecny_merchant_id: str = Field("LP-ECNY-0001", pattern=r"^[A-Za-z0-9_\-]{1,32}$")
    ecny_merchant_private_key: SecretStr | None = None
    ecny_operator_public_key: str | None = None
    ecny_operator_public_key_file: Path | None = None
    card_url: str | None = None
    card_merchant_id: str = Field("LP-CARD-0001", pattern=r"^[A-Za-z0-9_\-]{1,32}$")
    card_merchant_private_key: SecretStr | None = None
    card_acquirer_public_key: str | None = None
    card_acquirer_public_key_file: Path | None = None
    payments_timeout_s: float = Field(5.0, gt=0, le=60)
    # The logistics carrier (waybills; it files CEB511 itself). A None URL means the mounted
    # sandbox (/sandbox/carrier); its public key as hex, else the one the sandbox writes in
    # the data dir (sandbox/carrier/provider_public_key.hex).
    carrier_url: str | None = None
    carrier_merchant_id: str = Field("LP-CARRIER-0001", pattern=r"^[A-Za-z0-9_\-]{1,32}$")
    carrier_merchant_private_key: SecretStr | None = None
    carrier_public_key: str | None = None
    payments_notification_max_age_s: int = Field(300, ge=30, le=3600)

    # Flash sales (liveport.flashsale). The gate follows redis_url unless forced here.
    flashsale_gate: Literal["auto", "memory", "redis"] = "auto"
    flashsale_hold_minutes: int = Field(10, ge=1, le=24 * 60, description="unpaid reservations expire")
    flashsale_expiry_interval_s: float = Field(1.0, gt=0)
    flashsale_reconcile_interval_s: float = Field(0.5, gt=0, description="Redis gate → database")
    # The in-process gate is durable through its journal; its copy into the database is for
    # reading only, so it waits out a burst instead of competing with claims for the CPU.
    flashsale_journal_copy_interval_s: float = Field(5.0, gt=0)
    flashsale_journal_sync: Literal["FULL", "NORMAL"] = "FULL"
    flashsale_journal_interval_ms: float = Field(5.0, ge=0, le=100, description="group-commit cadence")
    flashsale_redis_prefix: str = Field("lp:gate:", min_length=1, max_length=64)
    claim_rate_limit_per_account: int = Field(30, ge=1, description="claims per window")
    claim_rate_limit_per_ip: int = Field(3000, ge=1, description="claims per window")
    claim_rate_limit_window_s: int = Field(10, ge=1)

    # Cross-border limits (cross-border.md §2): amounts and basis are policy, not constants.
    order_limit_cny: Decimal = Field(Decimal("5000"), gt=0)
    annual_quota_cny: Decimal = Field(Decimal("26000"), gt=0)
    limit_basis: Literal["dutiable_value", "goods_value"] = "dutiable_value"
    cbec_tax_relief: Decimal = Field(Decimal("0.7"), gt=0, le=1, description="share of VAT and CT due")
    discount_reduces_tax_base: bool = False  # unverified rule: a setting, off by default
    order_payment_minutes: int = Field(15, ge=1, le=24 * 60, description="unpaid basket orders expire")
    order_expiry_interval_s: float = Field(2.0, gt=0)
    max_freight_cny: Decimal = Field(Decimal("500"), gt=0)
    platform_fee_rate: Decimal = Field(Decimal("0.03"), ge=0, lt=1, description="on the goods value")

    positive_list_file: Path | None = None
    # The directory holding node_modules (front-end packages, ADR 0002); None means the
    # checkout's root, where `npm ci` puts them.
    assets_dir: Path | None = None
    customs: CustomsParties = Field(default_factory=CustomsParties)
    # A copy of the official customs schemas (ceb-import.xsd and its imports) that the
    # operator downloaded; None means Liveport's own structural checks (protocols.customs).
    customs_xsd_dir: Path | None = None
    # The platform's and agent's signing certificates (liveport.customs.credentials).
    customs_credentials_dir: Path | None = None
    customs_gateway_url: str | None = None  # None: the mounted single-window sandbox
    customs_dxp_id: str = Field("DXPENT0000000001", min_length=1, max_length=16)  # our DXP node
    customs_receiver_id: str = Field("DXPEDCCEB0000002", max_length=30)  # the single window's
    customs_retry_base_s: float = Field(2.0, gt=0)
    customs_max_attempts: int = Field(8, ge=1)
    customs_interval_s: float = Field(0.5, gt=0, description="how often pending declarations advance")
    # Orders whose declarations advance at once: each step waits on the window over HTTP,
    # so a night of thousands of orders clears only if several are on their way together.
    customs_concurrency: int = Field(8, ge=1, le=32)
    ecny_company_name: str = "e-CNY Operator (sandbox)"
    card_company_name: str = "Card Acquirer (sandbox)"
    # Fulfilment (liveport.fulfilment): how often packed parcels are handed over and tracked;
    # auto-pack packs every released order by itself (demo and test nights only).
    fulfilment_interval_s: float = Field(1.0, gt=0)
    fulfilment_auto_pack: bool = False
    # Sandbox seconds per real second for the mounted sandboxes' own clocks (the carrier's
    # deliveries): 1 is real time; the demo and tests run a day of logistics in seconds.
    sandbox_clock_speed: float = Field(1.0, gt=0, le=1_000_000)

    # Media plane (liveport.media, ADR 0009). "auto": managed nginx-rtmp when nginx and its
    # RTMP module are installed, else the embedded PyAV ingest; "off" under env=test unless
    # a test asks. "external": another origin calls our hooks and serves HLS (base URL).
    media_ingest: Literal["auto", "nginx", "embedded", "external", "off"] = "auto"
    media_rtmp_port: int = Field(1935, ge=1, le=65535)
    media_rtmp_listen: str = "127.0.0.1"  # managed nginx's address; 0.0.0.0 takes remote encoders
    media_rtmp_public_url: str | None = None  # what encoders are told, e.g. rtmp://live.example.com/ingest
    media_hook_base_url: str | None = None  # how the media server reaches us; default loopback:port
    media_hls_base_url: str | None = None  # CDN/origin serving /media/hls; default: this app
    media_hook_secret: SecretStr | None = None  # callbacks' ?token=; default derived (session secret)
    media_key_secret: SecretStr | None = None  # stream keys at rest; default derived (session secret)
    media_nginx_bin: str = "nginx"
    media_nginx_module: Path = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
    media_publish_lead_minutes: int = Field(60, ge=0, le=24 * 60)
    media_publish_grace_minutes: int = Field(120, ge=0, le=24 * 60)
    media_fragment_s: int = Field(1, ge=1, le=10)
    media_playlist_segments: int = Field(4, ge=2, le=20)

    # Exhibitors' webhooks (liveport.webhooks): how often due deliveries are sent, each
    # POST's timeout, and the retries (base, 2×base, 4×base … capped) before `failed`.
    webhooks_sender: bool = True
    webhooks_interval_s: float = Field(1.0, gt=0)
    webhooks_timeout_s: float = Field(5.0, gt=0, le=30)
    webhooks_max_attempts: int = Field(8, ge=1, le=20)
    webhooks_retry_base_s: float = Field(30.0, gt=0)
    webhooks_retry_max_s: float = Field(6 * 3600.0, gt=0)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'liveport.sqlite3').resolve()}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def sandbox_url(self, name: str) -> str:
        return f"{self.sandbox_base_url or self.base_url}/sandbox/{name}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / SECRETS_FILE_NAME

    def with_file_secrets(self) -> "Settings":
        """Fill secrets not given in the environment from the data dir's secrets file."""
        if not self.secrets_file.exists():
            return self
        stored = json.loads(self.secrets_file.read_text())
        update = {
            name: SecretStr(value)
            for name, value in stored.items()
            if name in type(self).model_fields and getattr(self, name) is None
        }
        return self.model_copy(update=update) if update else self

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        if value is None:
            from liveport.core.errors import ConfigurationError

            raise ConfigurationError(
                f"LIVEPORT_{name.upper()} is not set; run `liveport secrets init` "
                "or set it in the environment"
            )
        return value.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings().with_file_secrets()
