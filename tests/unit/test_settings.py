"""The one list of settings: the README's table is written from it, values are checked at start,
secrets are never printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracechain.settings import (
    SETTING_KEYS,
    TABLE_END,
    TABLE_START,
    Settings,
    SettingsError,
    describe,
    markdown_table,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_rows() -> list[tuple[str, str, str]]:
    text = README.read_text("utf-8")
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    rows = [line for line in text[start + len(TABLE_START):end].strip().splitlines()[2:]]
    found = []
    for row in rows:
        m = re.fullmatch(r"\| `(TRACE_[A-Z_]+)` \| (.*) \| (.*) \|", row)
        assert m, f"not a row of the settings table: {row!r}"
        found.append(m.groups())
    return found


def test_the_readme_table_is_the_settings_list():
    """Names, defaults and descriptions: `make settings-doc` rewrites the table when this fails."""
    assert _readme_rows() == describe()
    text = README.read_text("utf-8")
    assert markdown_table() in text


def test_every_setting_has_a_variable_a_description_and_a_unique_key():
    rows = describe()
    assert len({env for env, _, _ in rows}) == len(rows) == len(SETTING_KEYS)
    assert all(env.startswith("TRACE_") and doc and shown for env, shown, doc in rows)
    assert {"DATABASE_URL", "VAR_DIR", "MAX_CONTENT_LENGTH", "PAGE_SIZE_DEFAULT",
            "SIGNING_KDF_N"} <= SETTING_KEYS


def test_defaults(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path)})
    assert s.var_dir == tmp_path.resolve()
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'tracechain.db'}"
    assert (s.max_capture_bytes, s.capture_limit, s.max_yield) == (20 * 1024 * 1024, 10_000, 1.02)
    assert (s.page_size, s.page_size_max, s.port, s.workers) == (100, 1000, 5000, 2)
    assert s.anchor_in_background is True and s.chain_id is None
    assert s.signing_secret == (tmp_path / "secrets" / "signing-secret").read_text().strip()
    assert s.scan_secret == (tmp_path / "secrets" / "scan-secret").read_text().strip()
    assert Settings.load({"TRACE_VAR_DIR": str(tmp_path)}).signing_secret == s.signing_secret


def test_environment_values_are_parsed(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path), "TRACE_PORT": "8080",
                       "TRACE_MAX_YIELD": "1.1", "TRACE_CHAIN_ID": "31337",
                       "TRACE_ANCHOR_IN_BACKGROUND": "0", "TRACE_ACCESS_LOG": "",
                       "TRACE_HARVEST_LIMITS": "coffee_cherry=40", "TRACE_SIGNING_SECRET": "x"})
    assert (s.port, s.max_yield, s.chain_id, s.anchor_in_background) == (8080, 1.1, 31337, False)
    assert s.access_log == "" and s.signing_secret == "x"
    assert s.harvest_limits["coffee_cherry"] == 40 and s.harvest_limits["green_coffee"] == 7
    assert Settings.load({"TRACE_VAR_DIR": str(tmp_path), "TRACE_CHAIN_ID": ""}).chain_id is None


@pytest.mark.parametrize(("name", "value", "says"), [
    ("TRACE_PORT", "abc", "not a whole number"),
    ("TRACE_PORT", "70000", "not a TCP port"),
    ("TRACE_CAPTURE_LIMIT", "0", "at least 1"),
    ("TRACE_MAX_YIELD", "lots", "not a number"),
    ("TRACE_MAX_YIELD", "0", "more than 0"),
    ("TRACE_ANCHOR_IN_BACKGROUND", "maybe", "neither 1 nor 0"),
    ("TRACE_HARVEST_LIMITS", "tea=3", "kind"),
    ("TRACE_CHAIN_ID", "mainnet", "not a whole number"),
])
def test_a_bad_value_is_a_clear_error_naming_the_variable(tmp_path, name, value, says):
    with pytest.raises(SettingsError, match=name) as err:
        Settings.load({"TRACE_VAR_DIR": str(tmp_path), name: value})
    assert says in str(err.value)


def test_overrides_by_key_come_after_the_environment(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path / "a"), "TRACE_PORT": "8080"},
                      {"VAR_DIR": str(tmp_path / "b"), "PORT": 9090, "PAGE_SIZE_DEFAULT": "7",
                       "CHAIN_ID": None, "TESTING": True})
    assert s.var_dir == tmp_path / "b" and (s.port, s.page_size, s.chain_id) == (9090, 7, None)
    assert (tmp_path / "b" / "secrets" / "signing-secret").exists()  # the overridden folder
    with pytest.raises(SettingsError, match="WORKERS"):
        Settings.load({"TRACE_VAR_DIR": str(tmp_path)}, {"WORKERS": 0})


def test_secrets_are_never_printed(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path), "TRACE_SIGNING_SECRET": "sign-me-123",
                       "TRACE_SCAN_SECRET": "scan-me-123", "TRACE_SECRET_KEY": "flask-123",
                       "TRACE_ANCHOR_KEYSTORE_PASSWORD": "ks-123",
                       "TRACE_DATABASE_URL": "postgresql+psycopg://trace:db-pw-123@db/t"})
    shown = repr(s) + str(s)
    for secret in ("sign-me-123", "scan-me-123", "flask-123", "ks-123", "db-pw-123"):
        assert secret not in shown
    assert "postgresql+psycopg://trace:***@db/t" in shown


def test_settings_are_frozen_and_changed_only_into_a_checked_copy(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]
    assert s.changed(port=8080).port == 8080 and s.port == 5000
    with pytest.raises(SettingsError, match="TRACE_PORT"):
        s.changed(port=0)
    with pytest.raises(TypeError):
        s.changed(no_such_setting=1)


def test_the_config_view_is_keyed_like_the_overrides(tmp_path):
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path)})
    assert set(s.config) == SETTING_KEYS
    assert s.config["VAR_DIR"] == str(tmp_path.resolve())
    assert s.config["MAX_CONTENT_LENGTH"] == s.max_capture_bytes


def test_create_app_keeps_the_settings_in_its_one_container(tmp_path):
    from tracechain import create_app
    from tracechain.app_services import EXTENSION, AppServices, app_services

    app = create_app({"DATABASE_URL": "sqlite://", "VAR_DIR": str(tmp_path), "TESTING": True,
                      "MAX_CONTENT_LENGTH": 1234, "SECRET_KEY": "k", "PAGE_SIZE_DEFAULT": 7})
    services = app_services(app)
    assert isinstance(services, AppServices) and app.extensions[EXTENSION] is services
    assert not [k for k in app.extensions if k.startswith("tracechain.")]
    assert services.settings.page_size == 7 and services.settings.database_url == "sqlite://"
    # Flask's own keys, and keys that are not settings, are on app.config; ours are not.
    assert (app.config["MAX_CONTENT_LENGTH"], app.config["SECRET_KEY"]) == (1234, "k")
    assert app.config["TESTING"] is True and "PAGE_SIZE_DEFAULT" not in app.config
    with app.app_context():
        assert app_services() is services
    services.engine.dispose()
