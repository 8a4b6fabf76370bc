"""``huiqi serve [--host] [--port] [--db URL] [--workers N]``: the JSON API, the self-check pages, the console.

N worker processes run under uvicorn's own process manager (``uvicorn.run(..., workers=N)``):
it restarts a worker that dies, replaces them one by one on SIGHUP, and on SIGTERM or Ctrl+C
lets each worker finish the requests it has (up to ``--graceful-timeout`` seconds). Before the
workers start, this process prepares what they share, once: the database is migrated and the
console's signing secret generated (so N workers never race on either), and the run directory
holds the metrics files and the rate-limit counters (see api/metrics.py, api/rate_limit.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from typing import Any

from api.settings import SettingsError, default_db, from_env

# uvicorn closes an idle keep-alive connection after 5 s by default. A client or proxy that reuses
# the connection just as it is closed gets no answer at all (nginx: 502 for a POST, which it does not
# retry). The server must hold idle connections longer than any client holds them: nginx's upstream
# keepalive_timeout is set to 60 s in deploy/nginx, so 75 s here.
DEFAULT_KEEP_ALIVE = 75


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="启动网页自助测评、服务中心工作台和 JSON API（FastAPI + uvicorn）")
    parser.add_argument("--host", default=os.environ.get("HUIQI_HOST") or "127.0.0.1",
                        help="监听地址（默认 HUIQI_HOST 或 127.0.0.1）")
    parser.add_argument("--port", type=int, default=_env_int("HUIQI_PORT", 8000),
                        help="端口（默认 HUIQI_PORT 或 8000）")
    parser.add_argument("--db", default=default_db(),
                        help="数据库 URL（默认 HUIQI_DB 或 sqlite:///var/huiqi.sqlite3；自助测评不保存任何数据）")
    parser.add_argument("--workers", type=int, default=_env_int("HUIQI_WORKERS", default_workers()),
                        help="工作进程数（默认 HUIQI_WORKERS 或每个 CPU 核一个）")
    parser.add_argument("--graceful-timeout", type=int, default=_env_int("HUIQI_GRACEFUL_TIMEOUT", 30),
                        help="停止时等待进行中的请求完成的秒数（默认 30）")
    parser.add_argument("--keep-alive", type=int, default=_env_int("HUIQI_KEEP_ALIVE", DEFAULT_KEEP_ALIVE),
                        help=f"空闲的持久连接保留的秒数（默认 HUIQI_KEEP_ALIVE 或 {DEFAULT_KEEP_ALIVE}；"
                             "须长于反向代理的上游空闲时间）")
    parser.set_defaults(handler=run)


def prepare_database(url: str) -> str | None:
    """Migrate once and make sure the signing secret exists; the current migration, or None on failure."""
    from store import console
    from store.db import current_revision, open_database

    try:
        engine = open_database(url)
        console.app_secret(engine)
        revision = current_revision(engine)
        engine.dispose()
        return revision
    except Exception as exc:  # noqa: BLE001 - any failure: say which database and why, in Chinese, and stop
        print(f"无法打开或迁移数据库（{_safe_url(url)}）：{exc.__class__.__name__}: {exc}", file=sys.stderr)
        return None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even a URL: show nothing of it
        return "无效的 URL"


def prepare_run_dir(configured: str | None) -> tuple[str, bool]:
    """The directory the workers share (made here when not configured), emptied of an earlier run's state."""
    run_dir = configured or tempfile.mkdtemp(prefix="huiqi-run-")
    metrics_dir = os.path.join(run_dir, "metrics")
    os.makedirs(metrics_dir, mode=0o700, exist_ok=True)
    stale = [os.path.join(metrics_dir, name) for name in os.listdir(metrics_dir) if name.endswith(".db")]
    stale += [os.path.join(run_dir, f"ratelimit.sqlite3{suffix}") for suffix in ("", "-wal", "-shm")]
    for path in stale:
        if os.path.exists(path):
            os.unlink(path)
    return run_dir, configured is None


def _stopped(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def run(args: argparse.Namespace) -> int:
    try:
        settings = from_env()
    except SettingsError as exc:
        print(f"配置有误：{exc}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("--workers 至少为 1", file=sys.stderr)
        return 2
    if args.keep_alive < 1:
        print("--keep-alive 至少为 1 秒", file=sys.stderr)
        return 2
    revision = prepare_database(args.db)
    if revision is None:
        return 1
    run_dir, made_here = prepare_run_dir(settings.run_dir)
    # the workers build the app from the environment: set it before they start (and before this
    # process imports prometheus-client, which reads PROMETHEUS_MULTIPROC_DIR when imported)
    os.environ.update(HUIQI_DB=args.db, HUIQI_RUN_DIR=run_dir,
                      PROMETHEUS_MULTIPROC_DIR=os.path.join(run_dir, "metrics"))
    import uvicorn  # the web extra; imported here so the other commands work without it

    from api.logs import log_config
    from api.rate_limit import open_store

    open_store(run_dir)  # create the shared counters once, before N workers open them
    print(f"惠企已启动：http://{args.host}:{args.port}/  （{args.workers} 个工作进程；数据库 {_safe_url(args.db)}，"
          f"迁移 {revision}；API 文档 /docs；按 Ctrl+C 停止）", flush=True)
    # with one worker uvicorn serves here and, once it has shut down gracefully, re-raises SIGTERM:
    # end with status 0 then, after removing the run directory (systemd and Docker read 0 as a clean stop)
    signal.signal(signal.SIGTERM, _stopped)
    try:
        uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                    proxy_headers=False,  # forwarded headers are trusted by the app, from HUIQI_TRUSTED_PROXIES only
                    server_header=False, access_log=False, log_config=log_config(settings),
                    timeout_graceful_shutdown=args.graceful_timeout, timeout_keep_alive=args.keep_alive)
    finally:
        if made_here:
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0
