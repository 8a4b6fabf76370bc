"""``huiqi rules diff OLD NEW [--json]``: what changed between two rule trees, in plain Chinese.

OLD and NEW are rules directories, or git revisions (``HEAD~3``, a tag, a branch) when run inside a
git checkout: the rules tree of each revision is extracted with ``git archive`` into a temporary
directory. The wording comes from ``engine.rules_diff``; this module reads the arguments and prints.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from engine.loader import RuleBook, RuleFileError, load_rules, rules_dir
from engine.rules_diff import RulesDiff, diff_books


class SourceError(Exception):
    """An argument is neither a rules directory nor a git revision; the message is for the user."""


def register(actions: Any) -> None:
    diff = actions.add_parser(
        "diff", help="比较两个版本的规则：新增、删除、修改了哪些措施，改了什么",
        description="OLD、NEW 为规则目录，或 git 版本（在 git 仓库内运行时，如 HEAD~1、v2026.1、main）。",
    )
    diff.add_argument("old", metavar="OLD", help="旧规则：目录或 git 版本")
    diff.add_argument("new", metavar="NEW", help="新规则：目录或 git 版本")
    diff.add_argument("--json", action="store_true", help="输出 JSON（供程序读取）")
    diff.add_argument("--path", help="git 版本中规则目录的路径（默认为本仓库的 rules/）")
    diff.set_defaults(handler=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    try:
        with ExitStack() as stack:
            old_book, old_source = stack.enter_context(_rules_of(args.old, args.path, "旧规则"))
            new_book, new_source = stack.enter_context(_rules_of(args.new, args.path, "新规则"))
            diff = diff_books(old_book, new_book, old_source, new_source)
    except SourceError as exc:
        print(f"无法比较：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(diff.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(diff))
    return 0


def render(diff: RulesDiff) -> str:
    """The diff as a person reads it: the two releases, the counts, then each change on its own line."""
    lines = [
        "规则对比",
        f"  旧：{diff.old.label}  {diff.old.source}",
        f"  新：{diff.new.label}  {diff.new.source}",
    ]
    if diff.empty:
        return "\n".join([*lines, "两个版本的规则内容相同。"])
    lines.append(f"新增措施 {len(diff.added)} 项，删除 {len(diff.removed)} 项，修改 {len(diff.changed)} 项；"
                 f"其他规则文件修改 {len(diff.other)} 处。")
    if diff.added:
        lines += ["", "新增的措施：", *(f"  {i} {t}" for i, t in diff.added)]
    if diff.removed:
        lines += ["", "删除的措施：", *(f"  {i} {t}" for i, t in diff.removed)]
    if diff.changed:
        lines += ["", "修改的措施："]
        for change in diff.changed:
            lines += [f"{change.id} {change.title}", *(f"  {line.text}" for line in change.lines)]
    if diff.other:
        lines += ["", "其他规则文件：", *(f"  {line.text}" for line in diff.other)]
    return "\n".join(lines)


@contextmanager
def _rules_of(argument: str, path: str | None, which: str) -> Iterator[tuple[RuleBook, str]]:
    """The rule book of a directory, or of a git revision (extracted for the time of the diff)."""
    directory = Path(argument)
    if directory.is_dir():
        yield _load(directory, which, argument), str(directory)
        return
    root, inside = _git_location(argument, path)
    with tempfile.TemporaryDirectory(prefix="huiqi-rules-") as scratch:
        commit = _git(root, "rev-parse", "--short", f"{argument}^{{commit}}",
                      fail=f"找不到 git 版本 {argument}").strip()
        archive = _git_bytes(root, "archive", "--format=tar", commit, "--", inside,
                          fail=f"git 版本 {argument} 中没有规则目录 {inside}/")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        yield _load(Path(scratch) / inside, which, argument), f"{argument}（git {commit}:{inside}）"


def _load(directory: Path, which: str, argument: str) -> RuleBook:
    try:
        # a revision from before releases were named has no release.yaml: still comparable
        return load_rules(directory, require_release=False)
    except RuleFileError as exc:
        raise SourceError(f"{which}（{argument}）有误：\n{exc}") from None


def _git_location(argument: str, path: str | None) -> tuple[Path, str]:
    """(repository root, rules path inside it) for reading ``argument`` as a git revision."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SourceError(f"{argument} 不是目录，且本机没有 git，无法按 git 版本读取") from None
    if top.returncode != 0:
        raise SourceError(f"{argument} 不是目录；当前目录也不在 git 仓库中，无法按 git 版本读取")
    root = Path(top.stdout.strip())
    if path is not None:
        return root, path.strip("/")
    try:
        return root, rules_dir().resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return root, "rules"


def _git_bytes(root: Path, *command: str, fail: str) -> bytes:
    done = subprocess.run(["git", "-C", str(root), *command], capture_output=True, check=False)
    if done.returncode != 0:
        raise SourceError(fail)
    return done.stdout


def _git(root: Path, *command: str, fail: str) -> str:
    return _git_bytes(root, *command, fail=fail).decode()
