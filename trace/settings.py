"""The service's settings: the one list of what can be configured, read from ``TRACE_*``.

Each field of :class:`Settings` is one setting, given once: its type, its default, its
environment variable and a one-line description (the field's metadata). ``Settings.load`` parses
and checks them; a value that cannot be used stops the start with a :class:`SettingsError` that
names the variable. The README's configuration table is written from this list
(``make settings-doc``) and a test fails when the two differ.

Every default runs the service on its embedded defaults (SQLite under ``./var``); a deployment
overrides them with environment variables. ``create_app`` also takes overrides keyed by each
setting's ``key`` (``DATABASE_URL``, ``MAX_CONTENT_LENGTH``...): the tests and the CLI pass them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .domain.plausibility import DEFAULT_HARVEST_LIMITS, parse_limits

ENV_PREFIX = "TRACE_"


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names its environment variable."""


@dataclass(frozen=True)
class Spec:
    """What a field of :class:`Settings` is, beyond its type and default (its metadata)."""

    env: str  # the environment variable
    doc: str  # one line, for the README
    key: str  # create_app's override key (and the Flask config key Flask reads, where it does)
    parse: Callable[[str], Any]  # text of the variable -> value; ValueError if unusable
    shown: str  # the default as the README shows it
    secret: bool = False  # never printed
    check: Callable[[Any], str | None] | None = None  # a parsed value -> what is wrong, or None


def _shown(default: Any) -> str:
    """A default as the README shows it: a number as it is, anything else as code."""
    numeric = isinstance(default, int | float) and not isinstance(default, bool)
    return str(default) if numeric else f"`{default}`"


def _setting(env: str, default: Any, doc: str, *, parse: Callable[[str], Any] = str,
             key: str | None = None, shown: str | None = None, secret: bool = False,
             check: Callable[[Any], str | None] | None = None) -> Any:
    spec = Spec(env=env, doc=doc, key=key or env.removeprefix(ENV_PREFIX), parse=parse,
                shown=_shown(default) if shown is None else shown, secret=secret,
                check=check)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


# --- parsers and checks ---------------------------------------------------------------------

def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None


def _float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def _optional_int(text: str) -> int | None:
    return _int(text) if text.strip() else None


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{text!r} is neither 1 nor 0 (true/false, yes/no, on/off)")


def _path(text: str) -> Path:
    return Path(text)


def _harvest_limits(text: str) -> dict[str, float]:
    return parse_limits(text, DEFAULT_HARVEST_LIMITS)


def _at_least(low: float) -> Callable[[Any], str | None]:
    return lambda value: None if value >= low else f"must be at least {low}, not {value}"


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be more than 0, not {value}"


def _port(value: int | None) -> str | None:
    return None if value is None or 0 < value < 65536 else f"{value} is not a TCP port"


# --- the one list -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """Everything that can be configured. Built by :meth:`load`; never changed after."""

    var_dir: Path = _setting(
        "TRACE_VAR_DIR", Path("var"), "where SQLite and other local state live",
        parse=_path, shown="`./var`")
    database_url: str = _setting(
        "TRACE_DATABASE_URL", "", "SQLAlchemy URL, e.g. "
        "`postgresql+psycopg://user:pw@host/db`",
        shown="`sqlite:///` + `TRACE_VAR_DIR` + `/tracechain.db`")
    max_capture_bytes: int = _setting(
        "TRACE_MAX_CAPTURE_BYTES", 20 * 1024 * 1024,
        "largest capture document, bytes (larger → `413`)",
        key="MAX_CONTENT_LENGTH", parse=_int, shown="20 MiB", check=_at_least(1))
    capture_limit: int = _setting(
        "TRACE_CAPTURE_LIMIT", 10_000, "most events in one capture document",
        parse=_int, shown="10 000", check=_at_least(1))
    max_yield: float = _setting(
        "TRACE_MAX_YIELD", 1.02, "largest output/input mass ratio of a transformation "
        "(cooperatives re-weigh: a little gain is tolerated)", parse=_float,
        check=_positive)
    public_base_url: str = _setting(
        "TRACE_PUBLIC_BASE_URL", "http://localhost:5000",
        "the public URL of the service: the host in every QR code and Digital Link")
    # Also `auto` (http://<LAN address>:<TRACE_PORT>, what `make run` uses when unset);
    # TRACE_PRODUCTION=1 refuses a missing or loopback one (docs/console/DASHBOARD.md). The
    # README's table line is left as it was: README.md is rewritten at the merge.
    label_font_dir: str = _setting(
        "TRACE_LABEL_FONT_DIR", "/usr/share/fonts/truetype/dejavu",
        "folder with `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf` for label PDFs",
        shown="Debian's fonts-dejavu-core")
    scan_warning_after: int = _setting(
        "TRACE_SCAN_WARNING_AFTER", 20, "distinct scanners of one serialised item's code in "
        "the window before its page warns of a cloned label", parse=_int,
        check=_at_least(0))
    scan_window_days: int = _setting(
        "TRACE_SCAN_WINDOW_DAYS", 30, "the window distinct scanners are counted over, days",
        parse=_int, check=_at_least(1))
    scan_secret: str = _setting(
        "TRACE_SCAN_SECRET", "", "key of the daily scanner hash (a keyed hash of address, "
        "browser and day)", shown="generated once into `var/secrets/`", secret=True)
    unknown_code_budget: int = _setting(
        "TRACE_UNKNOWN_CODE_BUDGET", 30, "unknown codes one client may look up a minute on "
        "the public endpoints before `429`", parse=_int, check=_at_least(0))
    harvest_limits: dict[str, float] = _setting(
        "TRACE_HARVEST_LIMITS", DEFAULT_HARVEST_LIMITS, "t/ha a season above which a plot's "
        "harvests are flagged as unusual, per product kind, e.g. "
        "`coffee_cherry=32,pepper_berries=21`", parse=_harvest_limits,
        shown="the `harvest-yield` row under *Unusual records*")
    secret_key: str = _setting(
        "TRACE_SECRET_KEY", "", "key of the console's sessions and CSRF tokens (and Flask's "
        "secret key): at least 32 characters; changing it ends every session",
        key="SECRET_KEY", shown="generated once into `var/secrets/` (refused by "
        "`TRACE_PRODUCTION=1`)", secret=True)
    production: bool = _setting(
        "TRACE_PRODUCTION", False, "`1`: a production start, which refuses a missing, short or "
        "placeholder `TRACE_SECRET_KEY` instead of generating one", parse=_bool, shown="`0`")
    token_lifetime_days: int = _setting(
        "TRACE_TOKEN_LIFETIME_DAYS", 90, "lifetime of a token `tracechain token create` makes "
        "without `--expires-in`/`--expires-at`, days", parse=_int,
        check=_at_least(1))
    page_size: int = _setting(
        "TRACE_PAGE_SIZE", 100, "default `perPage` of `GET /epcis/events`",
        key="PAGE_SIZE_DEFAULT", parse=_int, check=_at_least(1))
    page_size_max: int = _setting(
        "TRACE_PAGE_SIZE_MAX", 1000, "largest `perPage` of `GET /epcis/events`",
        parse=_int, check=_at_least(1))
    host: str = _setting(
        "TRACE_HOST", "127.0.0.1", "interface `tracechain serve` listens on")
    port: int = _setting(
        "TRACE_PORT", 5000, "port `tracechain serve` listens on", parse=_int,
        check=_port)
    workers: int = _setting(
        "TRACE_WORKERS", 2, "gunicorn workers of `tracechain serve`", parse=_int,
        check=_at_least(1))
    access_log: str = _setting(
        "TRACE_ACCESS_LOG", "-", "`tracechain serve`'s access log: `-` (stdout), a file, or "
        "empty for none")
    signing_secret: str = _setting(
        "TRACE_SIGNING_SECRET", "", "password of the organisations' encrypted signing keys",
        shown="generated once into `var/secrets/`", secret=True)
    signing_kdf_n: int = _setting(
        "TRACE_SIGNING_KDF_N", 2**16, "scrypt cost of each signing key (~0.15 s an unlock, "
        "once per process and organisation)", parse=_int)
    operator_name: str = _setting(
        "TRACE_OPERATOR_NAME", "tracechain operator", "name of the organisation admins "
        "without one capture under (created on first use)")
    operator_gln: str = _setting(
        "TRACE_OPERATOR_GLN", "0000000000000", "GLN of that organisation")
    chain_rpc_url: str = _setting(
        "TRACE_CHAIN_RPC_URL", "", "JSON-RPC URL of the chain; unset = a local anvil under "
        "`var/anvil`, started on demand", shown="unset")
    chain_id: int | None = _setting(
        "TRACE_CHAIN_ID", None, "the chain id the node must report; a mismatch stops the "
        "service with a clear message", parse=_optional_int, shown="unset")
    chain_contract: str = _setting(
        "TRACE_CHAIN_CONTRACT", "", "TraceAnchor's address",
        shown="the one `tracechain chain deploy` remembered in `var/chain.json`")
    local_chain_port: int = _setting(
        "TRACE_LOCAL_CHAIN_PORT", 8545, "port of the local anvil", parse=_int,
        check=_port)
    anvil_bin: str = _setting(
        "TRACE_ANVIL_BIN", "", "anvil binary of the local chain",
        shown="`contracts/node_modules/.bin/anvil`, else `anvil` on `PATH`")
    anchor_keystore: str = _setting(
        "TRACE_ANCHOR_KEYSTORE", "", "keystore file of the anchoring account (required with "
        "`TRACE_CHAIN_RPC_URL`)", shown="unset")
    anchor_keystore_password: str = _setting(
        "TRACE_ANCHOR_KEYSTORE_PASSWORD", "", "password of that keystore", shown="empty",
        secret=True)
    anchor_interval: float = _setting(
        "TRACE_ANCHOR_INTERVAL", 10.0, "seconds after which a batch closes (or at "
        "`TRACE_ANCHOR_MAX_BATCH` events, whichever comes first)",
        parse=_float, shown="10", check=_at_least(0))
    anchor_max_batch: int = _setting(
        "TRACE_ANCHOR_MAX_BATCH", 10_000, "events after which a batch closes (or at "
        "`TRACE_ANCHOR_INTERVAL` seconds)",
        parse=_int, shown="10 000", check=_at_least(1))
    anchor_in_background: bool = _setting(
        "TRACE_ANCHOR_IN_BACKGROUND", True, "`0`: `tracechain serve` does not anchor; run "
        "`tracechain anchor --watch` yourself", parse=_bool, shown="`1`")
    # Subscriptions (docs/SUBSCRIPTIONS.md).
    webhook_allow: str = _setting(
        "TRACE_WEBHOOK_ALLOW", "", "hosts and networks webhooks may call although they are "
        "private or loopback, comma-separated, e.g. `127.0.0.1,10.1.0.0/16`", shown="none")
    delivery_batch: int = _setting(
        "TRACE_DELIVERY_BATCH", 500, "most events in one webhook delivery", parse=_int,
        check=_at_least(1))
    delivery_timeout: float = _setting(
        "TRACE_DELIVERY_TIMEOUT", 10.0, "seconds a webhook receiver has to answer",
        parse=_float, shown="10", check=_positive)
    delivery_backoff_max: float = _setting(
        "TRACE_DELIVERY_BACKOFF_MAX", 600.0, "longest wait between attempts to a failing "
        "webhook receiver, seconds", parse=_float, shown="600", check=_positive)
    delivery_log_days: float = _setting(
        "TRACE_DELIVERY_LOG_DAYS", 90.0, "days the subscriptions' delivery log keeps an attempt "
        "(`0`: for ever)", parse=_float, shown="90", check=_at_least(0))
    delivery_interval: float = _setting(
        "TRACE_DELIVERY_INTERVAL", 1.0, "seconds between delivery rounds when nothing was sent",
        parse=_float, shown="1", check=_positive)
    threads: int = _setting(
        "TRACE_THREADS", 1, "threads per gunicorn worker of `tracechain serve` (above 1: "
        "gunicorn's gthread workers); each open WebSocket subscription holds one",
        parse=_int, check=_at_least(1))
    deliver_in_background: bool = _setting(
        "TRACE_DELIVER_IN_BACKGROUND", True, "`0`: `tracechain serve` delivers no webhooks; "
        "run `tracechain deliver --watch` yourself", parse=_bool, shown="`1`")
    # Evidence files of the console (docs/console/EVIDENCE.md), kept by their SHA-256.
    evidence_dir: Path = _setting(
        "TRACE_EVIDENCE_DIR", Path(""), "where uploaded evidence files are kept (named by "
        "their SHA-256)", parse=_path, shown="`TRACE_VAR_DIR` + `/evidence`")

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None,
             overrides: Mapping[str, Any] | None = None) -> Settings:
        """The settings from ``env`` (``os.environ`` by default), then ``overrides`` (by
        :attr:`Spec.key`; other keys are not settings and are ignored here).

        Unset secrets are generated once into ``<var_dir>/secrets/`` (after the overrides, so an
        overridden ``VAR_DIR`` holds them too).

        :raises SettingsError: a value that cannot be used, naming its variable (or key).
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            spec = _spec(f)
            text = env.get(spec.env)
            if text is None or (text == "" and spec.parse is not str):
                continue  # unset (an empty number, flag or list is unset too)
            values[f.name] = _checked(spec, spec.env, _parsed(spec, spec.env, text))
        for key, value in (overrides or {}).items():
            given = _BY_KEY.get(key)
            if given is not None:
                spec = _spec(given)
                if isinstance(value, str) and spec.parse is not str:
                    value = _parsed(spec, key, value)
                values[given.name] = _checked(spec, key, value)
        var_dir = Path(values.get("var_dir", Path("var"))).resolve()
        values["var_dir"] = var_dir
        if "evidence_dir" not in values:  # unset: under var/ (evidence files)
            values["evidence_dir"] = var_dir / "evidence"
        if not values.get("database_url"):
            values["database_url"] = f"sqlite:///{var_dir / 'tracechain.db'}"
        if values.get("production"):
            problem = _secret_key_problem(values.get("secret_key", ""))
            if problem:
                raise SettingsError(f"TRACE_SECRET_KEY: {problem} (TRACE_PRODUCTION=1)")
        _public_base_url(values)
        for name, file in (("scan_secret", "scan-secret"), ("signing_secret", "signing-secret"),
                           ("secret_key", "secret-key")):
            if not values.get(name):
                values[name] = _local_secret(var_dir / "secrets" / file)
        return cls(**values)

    def flask_config(self) -> dict[str, Any]:
        """The keys Flask itself reads."""
        return {"SECRET_KEY": self.secret_key, "MAX_CONTENT_LENGTH": self.max_capture_bytes}

    @cached_property
    def config(self) -> Mapping[str, Any]:
        """Read-only, by :attr:`Spec.key` (``VAR_DIR`` a str): for the adapters that take a
        mapping (``anchor.wiring``, the scan counter)."""
        return MappingProxyType({
            _spec(f).key: str(v) if isinstance(v := getattr(self, f.name), Path) else v
            for f in dataclasses.fields(self)})

    def changed(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (by field name), checked like loaded values."""
        for name, value in changes.items():
            f = _BY_NAME.get(name)
            if f is None:
                raise TypeError(f"no setting named {name!r}")
            _checked(_spec(f), _spec(f).env, value)
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={_redacted(_spec(f), getattr(self, f.name))!r}"
                          for f in dataclasses.fields(self))
        return f"Settings({shown})"


def _spec(f: dataclasses.Field) -> Spec:
    return f.metadata["spec"]


_BY_NAME = {f.name: f for f in dataclasses.fields(Settings)}
_BY_KEY = {_spec(f).key: f for f in dataclasses.fields(Settings)}
SETTING_KEYS = frozenset(_BY_KEY)


def _parsed(spec: Spec, name: str, text: str) -> Any:
    try:
        return spec.parse(text)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _checked(spec: Spec, name: str, value: Any) -> Any:
    problem = spec.check(value) if spec.check is not None else None
    if problem is not None:
        raise SettingsError(f"{name}: {problem}")
    return value


_URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _redacted(spec: Spec, value: Any) -> Any:
    if spec.secret:
        return "***" if value else ""
    if isinstance(value, str):
        return _URL_PASSWORD.sub(r"\1***@", value)  # a password inside a database URL
    return value


# Values that read as placeholders: a production start refuses them as TRACE_SECRET_KEY.
_PLACEHOLDER_KEYS = ("changeme", "change-me", "change_me", "secret", "default", "example",
                     "your-", "dev-", "dev_", "test-", "test_", "xxxx")
SECRET_KEY_MIN_LENGTH = 32


def _secret_key_problem(value: str) -> str | None:
    if not value:
        return "must be set in production (e.g. `python -c 'import secrets; " \
               "print(secrets.token_urlsafe(32))'`)"
    if len(value) < SECRET_KEY_MIN_LENGTH:
        return f"must be at least {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(value)) < 8 or value.lower().startswith(_PLACEHOLDER_KEYS):
        return "looks like a placeholder: use a random value"
    return None


def _public_base_url(values: dict[str, Any]) -> None:
    """``auto`` becomes the machine's LAN address (tracechain/lan.py) on ``TRACE_PORT``; a
    production start refuses a missing one or one only this machine can open."""
    from .lan import is_loopback_url, lan_base_url

    given = str(values.get("public_base_url", "")).strip()
    if given.lower() == "auto":
        given = values["public_base_url"] = lan_base_url(int(values.get("port", 5000)))
    if values.get("production"):
        if not given:
            raise SettingsError("TRACE_PUBLIC_BASE_URL: must be set in production: the "
                                "address in every QR code (TRACE_PRODUCTION=1)")
        if is_loopback_url(given):
            raise SettingsError(f"TRACE_PUBLIC_BASE_URL: {given} can only be opened on this "
                                "machine; give the public address (TRACE_PRODUCTION=1)")


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


# --- the README's table -----------------------------------------------------------------------

TABLE_START = "<!-- settings: generated from trace/settings.py by `make settings-doc` -->"
TABLE_END = "<!-- end of settings -->"


def describe() -> list[tuple[str, str, str]]:
    """(variable, default as shown, meaning) of every setting, in the list's order."""
    return [(s.env, s.shown, s.doc) for s in map(_spec, dataclasses.fields(Settings))]


def markdown_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{env}` | {shown} | {doc} |" for env, shown, doc in describe()]
    return "\n".join(rows) + "\n"


def with_table(readme: str) -> str:
    """``readme`` with the table between its markers written from :class:`Settings`."""
    start, end = readme.find(TABLE_START), readme.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {TABLE_START!r} ... {TABLE_END!r} markers")
    head = readme[:start + len(TABLE_START)]
    return f"{head}\n{markdown_table()}{readme[end:]}"


def main(argv: list[str]) -> int:
    """``python -m tracechain.settings [--check] README.md``: write (or check) the table."""
    check = "--check" in argv
    path = Path(next((a for a in argv if a != "--check"), "README.md"))
    text = path.read_text("utf-8")
    wanted = with_table(text)
    if wanted == text:
        return 0
    if check:
        print(f"{path}: the settings table differs from trace/settings.py; "
              "run `make settings-doc`", file=sys.stderr)
        return 1
    path.write_text(wanted, "utf-8")
    print(f"{path}: settings table written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
