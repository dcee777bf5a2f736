"""The one place that reads the environment.

Every setting has a default that runs the service on its embedded defaults (SQLite under
``var/``); a deployment overrides them with ``TRACE_*`` environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .domain.plausibility import DEFAULT_HARVEST_LIMITS, parse_limits

ENV_PREFIX = "TRACE_"


def _var_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("TRACE_VAR_DIR", Path.cwd() / "var")).resolve()


def load(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from ``env`` (``os.environ`` by default)."""
    env = os.environ if env is None else env
    var_dir = _var_dir(env)
    return {
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": env.get("TRACE_DATABASE_URL", f"sqlite:///{var_dir / 'tracechain.db'}"),
        # Largest EPCIS document POST /epcis/capture accepts, in bytes (413 above it).
        "MAX_CONTENT_LENGTH": int(env.get("TRACE_MAX_CAPTURE_BYTES", 20 * 1024 * 1024)),
        # Largest number of events in one captured document (GS1-EPCIS-Capture-Limit).
        "CAPTURE_LIMIT": int(env.get("TRACE_CAPTURE_LIMIT", 10_000)),
        # A transformation may not put out more than this share of its inputs' mass
        # (1.0 = no gain); cooperatives re-weigh, so a little tolerance is allowed.
        "MAX_YIELD": float(env.get("TRACE_MAX_YIELD", 1.02)),
        "PUBLIC_BASE_URL": env.get("TRACE_PUBLIC_BASE_URL", "http://localhost:5000"),
        # A serialised item's page warns of a cloned label after this many scans.
        # ... counting distinct scanners (a keyed hash of address, browser and day) over this
        # many days: one phone scanning its bag every minute is one scanner a day.
        "SCAN_WARNING_AFTER": int(env.get("TRACE_SCAN_WARNING_AFTER", 20)),
        "SCAN_WINDOW_DAYS": int(env.get("TRACE_SCAN_WINDOW_DAYS", 30)),
        # Key of that hash, mixed with the day so that yesterday's hashes cannot be linked to
        # today's. Unset: a random one generated once under TRACE_VAR_DIR.
        "SCAN_SECRET": env.get("TRACE_SCAN_SECRET")
        or _local_secret(var_dir / "secrets" / "scan-secret"),
        # Lookups of unknown codes one client may make a minute on the public endpoints (the
        # resolver, the public audit pack) before 429: slows down guessing lot codes.
        "UNKNOWN_CODE_BUDGET": int(env.get("TRACE_UNKNOWN_CODE_BUDGET", 30)),
        # Tonnes a hectare a season above which a plot's harvests are flagged as unusual,
        # per product kind ("coffee_cherry=32,pepper_berries=21"; defaults in
        # domain/plausibility.py and the README).
        "HARVEST_LIMITS": parse_limits(env.get("TRACE_HARVEST_LIMITS", ""),
                                       DEFAULT_HARVEST_LIMITS),
        "SECRET_KEY": env.get("TRACE_SECRET_KEY", ""),
        # Lifetime of a token `tracechain token create` makes without --expires-in/--expires-at.
        "TOKEN_LIFETIME_DAYS": int(env.get("TRACE_TOKEN_LIFETIME_DAYS", 90)),
        "PAGE_SIZE_DEFAULT": int(env.get("TRACE_PAGE_SIZE", 100)),
        "PAGE_SIZE_MAX": int(env.get("TRACE_PAGE_SIZE_MAX", 1000)),
        "HOST": env.get("TRACE_HOST", "127.0.0.1"),
        "PORT": int(env.get("TRACE_PORT", 5000)),
        "WORKERS": int(env.get("TRACE_WORKERS", 2)),
        # gunicorn's access log: "-" is stdout, a path a file, empty none (a proxy in front that
        # logs already; the log costs ~0.05 ms of CPU a request).
        "ACCESS_LOG": env.get("TRACE_ACCESS_LOG", "-"),
        # Password of the organisations' encrypted signing keystores. Unset: a random one is
        # generated once under TRACE_VAR_DIR (fine for one machine; set it for a real deployment).
        "SIGNING_SECRET": env.get("TRACE_SIGNING_SECRET")
        or _local_secret(var_dir / "secrets" / "signing-secret"),
        # Cost of the scrypt that protects each signing key (2**16: ~0.15 s per unlock, once per
        # process and organisation). Tests lower it to the floor the keyring accepts, 2**14.
        "SIGNING_KDF_N": int(env.get("TRACE_SIGNING_KDF_N", 2**16)),
        # Admins who belong to no organisation (the operator, integration partners) capture
        # under this organisation, created on first use, so their events are signed too.
        "OPERATOR_NAME": env.get("TRACE_OPERATOR_NAME", "tracechain operator"),
        "OPERATOR_GLN": env.get("TRACE_OPERATOR_GLN", "0000000000000"),
        # The chain. No RPC URL: a local anvil under TRACE_VAR_DIR, started on demand, with its
        # well-known development account as the anchoring key.
        "CHAIN_RPC_URL": env.get("TRACE_CHAIN_RPC_URL", ""),
        "CHAIN_ID": int(env["TRACE_CHAIN_ID"]) if env.get("TRACE_CHAIN_ID") else None,
        "CHAIN_CONTRACT": env.get("TRACE_CHAIN_CONTRACT", ""),
        "LOCAL_CHAIN_PORT": int(env.get("TRACE_LOCAL_CHAIN_PORT", 8545)),
        "ANVIL_BIN": env.get("TRACE_ANVIL_BIN", ""),
        "ANCHOR_KEYSTORE": env.get("TRACE_ANCHOR_KEYSTORE", ""),
        "ANCHOR_KEYSTORE_PASSWORD": env.get("TRACE_ANCHOR_KEYSTORE_PASSWORD", ""),
        # A batch closes after this many seconds or this many events, whichever comes first.
        "ANCHOR_INTERVAL": float(env.get("TRACE_ANCHOR_INTERVAL", 10)),
        "ANCHOR_MAX_BATCH": int(env.get("TRACE_ANCHOR_MAX_BATCH", 10_000)),
        # `tracechain serve` anchors in the background (set 0 to run `tracechain anchor --watch`
        # yourself, e.g. as its own service).
        "ANCHOR_IN_BACKGROUND": env.get("TRACE_ANCHOR_IN_BACKGROUND", "1") != "0",
        # Label PDFs need a Unicode TrueType font for Vietnamese: DejaVuSans.ttf and
        # DejaVuSans-Bold.ttf, by default from Debian's fonts-dejavu-core (`make system-run`).
        "LABEL_FONT_DIR": env.get("TRACE_LABEL_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
    }


def _local_secret(path: Path) -> str:
    """A random secret kept in a private file, created on first use."""
    if path.exists():
        return path.read_text().strip()
    import secrets

    from .private_files import private_dir

    private_dir(path.parent)  # var/ and var/secrets: owner only
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def describe() -> list[tuple[str, str]]:
    """(variable, meaning) pairs, for `tracechain config` and the README."""
    return [
        ("TRACE_VAR_DIR", "where SQLite and other local state live (default ./var)"),
        ("TRACE_DATABASE_URL", "SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db"),
        ("TRACE_MAX_CAPTURE_BYTES", "largest capture document in bytes (default 20 MiB)"),
        ("TRACE_CAPTURE_LIMIT", "most events in one capture document (default 10000)"),
        ("TRACE_MAX_YIELD", "largest output/input mass ratio of a transformation (default 1.02)"),
        ("TRACE_PUBLIC_BASE_URL", "public URL of the service, used in links"),
        ("TRACE_SCAN_WARNING_AFTER", "scans of one item's code before its page warns of a "
                                     "cloned label (default 20)"),
        ("TRACE_SCAN_WINDOW_DAYS", "days over which distinct scanners are counted (default 30)"),
        ("TRACE_SCAN_SECRET", "key of the daily scanner hash (default: generated once into "
                              "var/secrets/)"),
        ("TRACE_UNKNOWN_CODE_BUDGET", "unknown-code lookups a client may make a minute on the "
                                      "public endpoints before 429 (default 30)"),
        ("TRACE_HARVEST_LIMITS", "t/ha a season above which harvests are flagged, per kind, "
                                 "e.g. coffee_cherry=32,pepper_berries=21"),
        ("TRACE_SECRET_KEY", "Flask secret key (required outside development)"),
        ("TRACE_TOKEN_LIFETIME_DAYS", "lifetime of a new API token in days (default 90)"),
        ("TRACE_PAGE_SIZE / TRACE_PAGE_SIZE_MAX", "default and largest perPage of queries"),
        ("TRACE_HOST / TRACE_PORT / TRACE_WORKERS", "where and how `tracechain serve` listens"),
        ("TRACE_ACCESS_LOG", "serve's access log: - (stdout, default), a file, or empty: none"),
        ("TRACE_SIGNING_SECRET", "password of the organisations' encrypted signing keys"),
        ("TRACE_CHAIN_RPC_URL", "JSON-RPC URL of the chain (unset: local anvil under var/)"),
        ("TRACE_CHAIN_ID", "the chain id the node must report (refuses to start otherwise)"),
        ("TRACE_CHAIN_CONTRACT", "address of the deployed TraceAnchor contract"),
        ("TRACE_ANVIL_BIN", "anvil binary for the local chain (default contracts/node_modules)"),
        ("TRACE_ANCHOR_KEYSTORE / _PASSWORD", "keystore file of the anchoring account"),
        ("TRACE_ANCHOR_INTERVAL / TRACE_ANCHOR_MAX_BATCH", "batch closes after N s or N events"),
        ("TRACE_LABEL_FONT_DIR", "folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf for label "
         "PDFs (default: Debian's fonts-dejavu-core)"),
    ]
