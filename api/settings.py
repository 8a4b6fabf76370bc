"""Configuration of a running service, read from ``HUIQI_*`` environment variables (README: 部署到城市).

Every variable is optional: without any of them ``huiqi serve`` starts on embedded SQLite,
as a developer's machine expects. A wrong value stops the start with a Chinese message that
names the variable, never a traceback and never a silent default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DB = "sqlite:///var/huiqi.sqlite3"
DEFAULT_RATE_LIMIT = "60/minute"
DEFAULT_LOGIN_RATE_LIMIT = "10/minute"
DEFAULT_METRICS_ALLOW = "127.0.0.1,::1"
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
OFF = {"off", "0", "none", "no", "false"}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable, in Chinese and English."""


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period`` seconds, with a burst of ``limit`` (see api/rate_limit.py)."""

    limit: int
    period: int

    def __str__(self) -> str:
        unit = next(name for name, seconds in PERIODS.items() if seconds == self.period)
        return f"{self.limit}/{unit}"


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_DB
    secure_cookies: str = "auto"  # auto: Secure when the request came over HTTPS; "1" always; "0" never
    trusted_proxies: tuple[Network, ...] = ()
    rate_limit: Rate | None = Rate(60, 60)
    login_rate_limit: Rate | None = Rate(10, 60)
    metrics_allow: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
    log_level: str = "INFO"
    log_format: str = "json"
    access_log: bool = True
    log_client_ip: bool = False
    run_dir: str | None = None  # shared by the workers: metrics files and the rate-limit counters

    @property
    def trusted_proxy_hosts(self) -> list[str]:
        """For uvicorn's ProxyHeadersMiddleware (it takes addresses and networks as strings)."""
        return [str(net) for net in self.trusted_proxies]


def default_db() -> str:
    """``--db`` of every command defaults to ``HUIQI_DB``, then to embedded SQLite."""
    return os.environ.get("HUIQI_DB", "").strip() or DEFAULT_DB


def parse_rate(name: str, raw: str) -> Rate | None:
    """``60/minute`` → Rate(60, 60); ``off`` → no limit."""
    text = raw.strip().lower()
    if text in OFF:
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour|day)s?", text)
    if not match or int(match.group(1)) < 1:
        raise SettingsError(f"{name} 应写成“次数/时间单位”，如 60/minute（单位 second、minute、hour、day），"
                            f"或 off 表示不限制；现在是 {raw!r} / {name} must look like 60/minute, or off")
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


def parse_networks(name: str, raw: str) -> tuple[Network, ...]:
    """A comma-separated list of addresses or networks (``127.0.0.1, 10.0.0.0/8, ::1``)."""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise SettingsError(f"{name} 中的 {item!r} 不是 IP 地址或网段（如 127.0.0.1、172.18.0.0/16）"
                                f" / {name}: {item!r} is not an IP address or network") from exc
    return tuple(networks)


def _choice(name: str, raw: str, allowed: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name} 只能是 {' / '.join(allowed)}；现在是 {raw!r} / {name} must be one of {allowed}")
    return value


def _flag(name: str, raw: str) -> bool:
    return _choice(name, raw, ("1", "0", "true", "false", "yes", "no", "on", "off")) in ("1", "true", "yes", "on")


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env

    def get(name: str, default: str) -> str:
        value = env.get(name, "")
        return value if value.strip() else default

    secure = get("HUIQI_SECURE_COOKIES", "auto").strip().lower()
    secure = {"true": "1", "yes": "1", "false": "0", "no": "0"}.get(secure, secure)
    return Settings(
        db_url=get("HUIQI_DB", DEFAULT_DB),
        secure_cookies=_choice("HUIQI_SECURE_COOKIES", secure, ("auto", "1", "0")),
        trusted_proxies=parse_networks("HUIQI_TRUSTED_PROXIES", get("HUIQI_TRUSTED_PROXIES", "")),
        rate_limit=parse_rate("HUIQI_RATE_LIMIT", get("HUIQI_RATE_LIMIT", DEFAULT_RATE_LIMIT)),
        login_rate_limit=parse_rate("HUIQI_LOGIN_RATE_LIMIT", get("HUIQI_LOGIN_RATE_LIMIT", DEFAULT_LOGIN_RATE_LIMIT)),
        metrics_allow=parse_networks("HUIQI_METRICS_ALLOW", get("HUIQI_METRICS_ALLOW", DEFAULT_METRICS_ALLOW)),
        log_level=_choice("HUIQI_LOG_LEVEL", get("HUIQI_LOG_LEVEL", "info"),
                          ("debug", "info", "warning", "error")).upper(),
        log_format=_choice("HUIQI_LOG_FORMAT", get("HUIQI_LOG_FORMAT", "json"), ("json", "text")),
        access_log=_flag("HUIQI_ACCESS_LOG", get("HUIQI_ACCESS_LOG", "1")),
        log_client_ip=_flag("HUIQI_LOG_CLIENT_IP", get("HUIQI_LOG_CLIENT_IP", "0")),
        run_dir=get("HUIQI_RUN_DIR", "") or None,
    )
