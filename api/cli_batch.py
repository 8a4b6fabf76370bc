"""``huiqi batch INPUT --as-of DATE ...``, ``huiqi batch --resume RUN_ID``, ``huiqi batch diff RUN_A RUN_B``,
``huiqi batch what-if RUN_ID --rules NEW_DIR`` (api/cli_whatif.py)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli_check import iso_date
from store.db import DEFAULT_URL

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import Engine

DEFAULT_OUT = "var/batch"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "batch", help="免申即享：对整个企业登记库批量匹配（或 batch diff RUN_A RUN_B 比较两个批次）",
        description="对登记库导出（CSV 目录、JSON Lines 或 Parquet）中的每户企业运行同一套规则，"
                    "按措施和经办单位输出名单。续跑：--resume RUN_ID；比较：huiqi batch diff RUN_A RUN_B；"
                    "新规则影响测算：huiqi batch what-if RUN_ID --rules 新规则目录。",
    )
    parser.add_argument("target", nargs="*", metavar="INPUT",
                        help="输入路径；或 diff RUN_A RUN_B；或 what-if RUN_ID")
    parser.add_argument("--as-of", type=iso_date, help="评估日 YYYY-MM-DD（必填，保证结果可复现）")
    parser.add_argument("--measures", type=lambda s: [m.strip() for m in s.split(",") if m.strip()],
                        help="只匹配这些措施，如 M30,M31")
    parser.add_argument("--only-auto", action="store_true", help="只匹配可凭登记数据判定的措施（auto_match）")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="工作进程数（默认 CPU 核数；0 为不用进程池）")
    parser.add_argument("--db", default=os.environ.get("HUIQI_DB", DEFAULT_URL),
                        help=f"数据库 URL（默认 {DEFAULT_URL}）")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"输出目录（默认 {DEFAULT_OUT}）")
    parser.add_argument("--format", choices=("csv", "jsonl", "parquet"), help="输入格式（默认按路径识别）")
    parser.add_argument("--sources", type=Path, metavar="SOURCES.yaml",
                        help="部门数据：列出各映射文件的数据来源文件（代替 INPUT），按统一社会信用代码合并")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="每个提交块的企业数（默认：列式引擎 10000，rete 500）")
    parser.add_argument("--resume", metavar="RUN_ID", help="续跑被中断的批次")
    parser.add_argument("--engine", choices=("columnar", "rete", "local", "dask"), default="columnar",
                        help="columnar 列式引擎（默认）；rete 逐户用 durable-rules（local 为其旧名）；"
                             "dask 集群（各分区用列式引擎）")
    parser.add_argument("--verify", type=int, default=0, metavar="N",
                        help="随机抽取 N 户用 durable-rules 重新评估，与列式结果有任何不同即判批次失败")
    parser.add_argument("--scheduler", help="Dask 调度器地址，如 tcp://10.0.0.5:8786（默认启动本机 LocalCluster）")
    parser.add_argument("--rules", type=Path, help="what-if：新规则目录（如 rules/ 的修改稿）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from batch.runner import BatchError

    try:
        if args.target[:1] == ["diff"]:
            return _diff(args)
        if args.target[:1] == ["what-if"]:
            from api import cli_whatif

            return cli_whatif.run(args, args.out)
        return _batch(args)
    except BatchError as exc:
        print(f"无法执行：{exc}", file=sys.stderr)
        return 2


def _diff(args: argparse.Namespace) -> int:
    from batch.diff import CHANGES, report
    from store.db import open_database

    if len(args.target) != 3:
        print("用法：huiqi batch diff RUN_A RUN_B [--db URL] [--out 文件.csv]", file=sys.stderr)
        return 2
    out = args.out if args.out != Path(DEFAULT_OUT) else None
    changes = report(open_database(args.db), args.target[1], args.target[2], out)
    counts = {label: sum(c.change == key for c in changes) for key, label in CHANGES.items()}
    print("，".join(f"{label} {n}" for label, n in counts.items()), file=sys.stderr)
    return 0


def _batch(args: argparse.Namespace) -> int:
    from batch import runner
    from batch.pools import batch_pool, warm
    from store.db import open_database

    engine = open_database(args.db)
    stack = contextlib.ExitStack()
    if args.resume:
        if args.target:
            print("续跑时不需要输入路径：输入、评估日和措施都取自原批次", file=sys.stderr)
            return 2
        run_id = args.resume
        run_row = runner.check_resumable(engine, run_id)
        out = Path(run_row.out_dir) if run_row.out_dir else args.out
        mode = runner.engine_name(run_row.engine)
        pool = stack.enter_context(batch_pool(0 if mode == "dask" else args.workers))
    else:
        if args.sources is not None:
            if args.target or args.format:
                print("--sources 代替 INPUT 和 --format：输入由数据来源文件列出", file=sys.stderr)
                return 2
            args.target, args.format = [str(args.sources)], "sources"
        if len(args.target) != 1:
            print("用法：huiqi batch INPUT --as-of YYYY-MM-DD [选项]（huiqi batch -h 查看说明）", file=sys.stderr)
            return 2
        if args.as_of is None:
            print("请用 --as-of YYYY-MM-DD 指定评估日：同一输入、规则和评估日给出相同结果", file=sys.stderr)
            return 2
        spec = runner.RunSpec(Path(args.target[0]), args.as_of, args.measures, args.only_auto, args.out,
                              args.chunk_size, args.format)
        mode = runner.engine_name(args.engine)
        if args.verify and mode != "columnar":
            print("--verify 只用于列式引擎（--engine columnar）", file=sys.stderr)
            return 2
        # one pool of worker processes for the whole run (the CSV index loaders, the evaluation, the lists),
        # started now so that they come up while the run is checked and recorded
        pool = stack.enter_context(batch_pool(0 if mode == "dask" else args.workers))
        warm(pool, args.workers)
        try:
            run_id = runner.start(engine, spec, engine_name=mode)
        except BaseException:
            stack.close()
            raise
        out = args.out
    print(f"批次 {run_id}", file=sys.stderr)
    with stack:
        return _evaluate_and_write(args, engine, run_id, mode, out, pool)


def _evaluate_and_write(args: argparse.Namespace, engine: Engine, run_id: str, mode: str, out: Path,
                        pool: ProcessPoolExecutor | None) -> int:
    from batch import runner
    from batch.worker import VerifyError
    from batch.writers import NOTICE_KINDS, notice_counts, write_outputs

    started = dt.datetime.now()
    where: dict[str, float] = {}  # seconds per stage (worker stages summed over the workers)
    try:
        if mode == "dask":
            from batch.dask_runner import execute_dask

            counts = execute_dask(engine, run_id, args.scheduler, progress=not args.no_progress)
        else:
            from batch.worker import tune_gc

            tune_gc()  # this process reads, merges and writes for the whole run
            counts = runner.execute(engine, run_id, args.workers, progress=not args.no_progress, verify=args.verify,
                                    timing=where, pool=pool)
    except VerifyError as exc:
        print(f"核对失败（批次 {run_id} 未完成）：{exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"已中断；已提交的部分保留，可用 huiqi batch --resume {run_id} 续跑", file=sys.stderr)
        return 130
    evaluated = dt.datetime.now()
    folder = write_outputs(engine, run_id, out, workers=args.workers, pool=pool)
    finished = dt.datetime.now()
    spans = {"seconds": finished - started, "evaluate_seconds": evaluated - started,
             "lists_seconds": finished - evaluated}
    timing = {name: round(span.total_seconds(), 1) for name, span in spans.items()}
    timing["stages"] = {name: round(seconds, 1) for name, seconds in sorted(where.items())}  # type: ignore[assignment]
    on_rete = runner.measures_on_rete(engine, run_id)
    notices = notice_counts(engine, run_id) if (folder / "notices.csv").exists() else {}
    extra = {"notices": notices} if notices or (folder / "notices.csv").exists() else {}
    print(json.dumps({"run_id": run_id, **counts, **extra, "engine": mode, "measures_on_rete": on_rete,
                      "out": str(folder), **timing}, ensure_ascii=False))
    print(f"完成：共 {counts['total']} 户，符合 {counts['matched']}，不符合 {counts['unmatched']}，"
          f"数据有误 {counts['rejected']}（见 {folder / 'rejections.csv'}）", file=sys.stderr)
    if extra:
        told = "，".join(f"{NOTICE_KINDS.get(k, k)} {n}" for k, n in sorted(notices.items())) or "无"
        print(f"核对报告：{told}（见 {folder / 'notices.csv'}）", file=sys.stderr)
    return 0
