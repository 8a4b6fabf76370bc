"""``huiqi serve [--host 127.0.0.1] [--port 8000] [--db URL]``: the JSON API and the self-check pages."""

from __future__ import annotations

import argparse
from typing import Any

from api.app import DEFAULT_DB


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="启动网页自助测评和 JSON API（FastAPI + uvicorn）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--db", default=DEFAULT_DB, help=f"数据库 URL（默认 {DEFAULT_DB}；自助测评不保存任何数据）")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn  # the web extra; imported here so the other commands work without it

    from api.app import create_app

    print(f"惠企已启动：http://{args.host}:{args.port}/  （API 文档 /docs；按 Ctrl+C 停止）", flush=True)
    uvicorn.run(create_app(db_url=args.db), host=args.host, port=args.port, log_level="info")
    return 0
