"""``HUIQI_*`` variables: defaults that start on embedded SQLite, and a Chinese error naming a wrong one."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import build_parser
from api.cli_serve import default_workers
from api.settings import DEFAULT_DB, Rate, SettingsError, from_env, parse_rate

ROOT = Path(__file__).resolve().parents[2]


def test_no_variables_means_embedded_sqlite_and_safe_defaults() -> None:
    settings = from_env({})
    assert settings.db_url == DEFAULT_DB == "sqlite:///var/huiqi.sqlite3"
    assert settings.secure_cookies == "auto"
    assert settings.trusted_proxies == ()  # no forwarded header is believed until a proxy is named
    assert settings.rate_limit == Rate(60, 60) and settings.login_rate_limit == Rate(10, 60)
    assert {str(n) for n in settings.metrics_allow} == {"127.0.0.1/32", "::1/128"}
    assert (settings.log_format, settings.access_log, settings.log_client_ip) == ("json", True, False)


def test_variables_are_read() -> None:
    settings = from_env({"HUIQI_DB": "postgresql://huiqi@db/huiqi", "HUIQI_SECURE_COOKIES": "1",
                         "HUIQI_TRUSTED_PROXIES": "127.0.0.1, 172.18.0.0/16", "HUIQI_RATE_LIMIT": "120/minute",
                         "HUIQI_LOGIN_RATE_LIMIT": "off", "HUIQI_METRICS_ALLOW": "10.0.0.5",
                         "HUIQI_LOG_FORMAT": "text", "HUIQI_LOG_LEVEL": "warning", "HUIQI_ACCESS_LOG": "0"})
    assert settings.db_url == "postgresql://huiqi@db/huiqi"
    assert settings.secure_cookies == "1"
    assert settings.trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("172.18.0.0/16"))
    assert settings.rate_limit == Rate(120, 60) and settings.login_rate_limit is None
    assert settings.metrics_allow == (ipaddress.ip_network("10.0.0.5/32"),)
    assert (settings.log_format, settings.log_level, settings.access_log) == ("text", "WARNING", False)


@pytest.mark.parametrize(("raw", "rate"), [("60/minute", Rate(60, 60)), ("5/second", Rate(5, 1)),
                                           ("1000/hours", Rate(1000, 3600)), (" 2 / day ", Rate(2, 86400)),
                                           ("off", None), ("0", None)])
def test_rates(raw: str, rate: Rate | None) -> None:
    assert parse_rate("HUIQI_RATE_LIMIT", raw) == rate


@pytest.mark.parametrize(("name", "value"), [("HUIQI_RATE_LIMIT", "60 per minute"), ("HUIQI_RATE_LIMIT", "0/minute"),
                                             ("HUIQI_TRUSTED_PROXIES", "nginx"), ("HUIQI_METRICS_ALLOW", "10.0.0.300"),
                                             ("HUIQI_SECURE_COOKIES", "maybe"), ("HUIQI_LOG_FORMAT", "xml")])
def test_a_wrong_value_names_its_variable_in_chinese(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        from_env({name: value})
    assert name in str(error.value) and any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))


def test_serve_refuses_a_wrong_variable_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", "1"], cwd=tmp_path,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HUIQI_TRUSTED_PROXIES": "nginx"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "配置有误" in done.stderr and "HUIQI_TRUSTED_PROXIES" in done.stderr and "Traceback" not in done.stderr


def test_workers_default_to_one_per_core() -> None:
    import os

    assert default_workers() == len(os.sched_getaffinity(0))
    assert build_parser().parse_args(["serve"]).workers == default_workers()
    assert build_parser().parse_args(["serve", "--workers", "3"]).workers == 3


def test_every_variable_the_code_reads_is_in_the_readme_table() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### 配置（环境变量）"):readme.index("### 用 docker compose 部署")]
    read = set()
    for folder in ("api", "store", "engine", "batch"):
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(re.findall(r"\"(HUIQI_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert read >= {"HUIQI_DB", "HUIQI_SECRET", "HUIQI_TRUSTED_PROXIES", "HUIQI_RATE_LIMIT", "HUIQI_METRICS_ALLOW"}
    assert sorted(name for name in read if f"| `{name}`" not in table and f"、`{name}`" not in table) == []
