"""Load and validate the rules tree; a broken file fails with file, field and reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engine.errors import field_errors
from engine.facts import FactPlan
from engine.ir import BookIR, build_book_ir
from engine.rule_models import Derived, ItemField, ItemFields, Measure, Release
from engine.size_standard import SizeStandard
from engine.units import LocalUnits

M = TypeVar("M", bound=BaseModel)
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
RELEASE_FILE = "release.yaml"  # the release's name and date: not part of the content hash
MISSING_RELEASE = "缺少版本文件：请写明本版规则的名称（name）和发布日期（date）"


@dataclass(frozen=True)
class RuleProblem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field or '(文件)'}: {self.reason}"


class RuleFileError(ValueError):
    """One or more rule files are invalid; ``problems`` lists file, field and reason."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("规则文件有误：\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class RuleBook:
    """Everything under ``rules/``, validated."""

    version: str
    measures: tuple[Measure, ...]
    derived: tuple[Derived, ...]
    size_standard: SizeStandard
    local_units: LocalUnits
    directory: Path
    release: Release | None = None  # None only for a tree loaded without its release file (old revisions)
    by_id: dict[str, Measure] = field(default_factory=dict, compare=False)
    item_fields: tuple[ItemField, ...] = ()  # rules/derived/item_fields.yaml

    def measure(self, measure_id: str) -> Measure:
        return self.by_id[measure_id]

    @property
    def release_name(self) -> str | None:
        return self.release.name if self.release else None

    @property
    def release_date(self) -> dt.date | None:
        return self.release.date if self.release else None

    @cached_property
    def plans(self) -> dict[str, Any]:
        """Each measure's decision plan (``engine.plan.MeasurePlan``), built once per book."""
        from engine.plan import build_plans  # plans read the book: built on first use

        return build_plans(self)

    @cached_property
    def rows(self) -> Any:
        """What ``engine.decide.decide_all`` keeps per book (``engine.decide.Rows``), built on first use."""
        from engine.decide import Rows  # reads the plans

        return Rows.of(self)

    @cached_property
    def ir(self) -> BookIR:
        """The intermediate form every reader of the rules walks (``engine.ir``), built once."""
        return build_book_ir(self)

    @cached_property
    def money_measures(self) -> tuple[Any, ...]:
        """The measures that bring money, as the near-miss answers read them
        (``engine.near_miss.MoneyMeasure``), built once per book."""
        from engine.near_miss import money_measures  # reads the book's IR and plans: built on first use

        return money_measures(self)

    @cached_property
    def fact_plan(self) -> FactPlan:
        """What the facts carry beyond the profile: the anniversaries the rules compare with and the
        item fields worked out from others (``engine.facts.build_facts``)."""
        return FactPlan.of(self.ir.shifts, [(f.list, f.field, tuple(f.inputs)) for f in self.item_fields])

    def item_field(self, list_name: str, path: str) -> ItemField | None:
        """The derivation of an item field, if ``path`` of ``list_name`` is one."""
        return next((f for f in self.item_fields if f.list == list_name and f.field == path), None)


def rules_dir() -> Path:
    return Path(os.environ.get("HUIQI_RULES", DEFAULT_RULES_DIR))


def _read_yaml(path: Path, root: Path, problems: list[RuleProblem]) -> Any:
    name = str(path.relative_to(root))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        problems.append(RuleProblem(name, where, f"YAML 语法错误：{getattr(exc, 'problem', exc)}"))
        return None
    except UnicodeDecodeError:
        problems.append(RuleProblem(name, "", "文件不是 UTF-8 编码"))
        return None
    except ValueError as exc:  # a well-formed but impossible date (2026-13-01) fails in the YAML reader itself
        problems.append(RuleProblem(name, "", f"取值无效：{exc}（日期须为实际存在的日期，格式 YYYY-MM-DD）"))
        return None
    if not isinstance(data, dict):
        problems.append(RuleProblem(name, "", "文件内容应为一个 YAML 映射（键: 值）"))
        return None
    return data


def _validate(model: type[M], data: Any, name: str, problems: list[RuleProblem]) -> M | None:
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            problems.append(RuleProblem(name, location, error["msg"]))
        return None


def _load_required(
    model: type[M], path: Path, root: Path, problems: list[RuleProblem], absent: str
) -> M | None:
    name = str(path.relative_to(root))
    if not path.exists():
        problems.append(RuleProblem(name, "", absent))
        return None
    return _validate(model, _read_yaml(path, root, problems), name, problems)


def _load_release(root: Path, problems: list[RuleProblem], required: bool) -> Release | None:
    """``release.yaml``, its errors worded in Chinese (a rule author edits it by hand at each release)."""
    path = root / RELEASE_FILE
    if not path.exists():
        if required:
            problems.append(RuleProblem(RELEASE_FILE, "", MISSING_RELEASE))
        return None
    data = _read_yaml(path, root, problems)
    if data is None:
        return None
    try:
        return Release.model_validate(data)
    except ValidationError as exc:
        problems += [RuleProblem(RELEASE_FILE, error.field, error.message_zh) for error in field_errors(exc.errors())]
        return None


def _fingerprint(root: Path) -> str:
    """The content hash of the rule files (``rules_version``); the release file only names it."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        if path == root / RELEASE_FILE:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_rules(directory: Path | str | None = None, require_release: bool = True) -> RuleBook:
    """Read and validate every rule file; raise ``RuleFileError`` listing all problems.

    ``require_release=False`` accepts a tree without ``release.yaml`` (a revision from before
    releases were named, read by ``huiqi rules diff``); a release file present is still checked."""
    root = Path(directory) if directory is not None else rules_dir()
    problems: list[RuleProblem] = []
    if not root.is_dir():
        raise RuleFileError([RuleProblem(str(root), "", "规则目录不存在")])
    release = _load_release(root, problems, require_release)

    measures: list[Measure] = []
    for path in sorted((root / "measures").glob("*.yaml")):
        name = str(path.relative_to(root))
        measure = _validate(Measure, _read_yaml(path, root, problems), name, problems)
        if measure is None:
            continue
        if path.stem != measure.id:
            problems.append(RuleProblem(name, "id", f"文件名应为 {measure.id}.yaml"))
        measures.append(measure)

    size_path = root / "derived" / "size_standard.yaml"
    size = _load_required(SizeStandard, size_path, root, problems, "缺少中小企业划型标准文件")

    derived: list[Derived] = []
    item_fields_path = root / "derived" / "item_fields.yaml"
    item_fields = (_validate(ItemFields, _read_yaml(item_fields_path, root, problems),
                             str(item_fields_path.relative_to(root)), problems)
                   if item_fields_path.exists() else None)

    for path in sorted((root / "derived").glob("*.yaml")):
        if path in (size_path, item_fields_path):
            continue
        item = _validate(Derived, _read_yaml(path, root, problems), str(path.relative_to(root)), problems)
        if item is not None:
            derived.append(item)

    local_units = _load_required(LocalUnits, root / "units.yaml", root, problems, "缺少属地责任单位文件")

    ids = [m.id for m in measures]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(RuleProblem("measures/", "id", f"{duplicate} 出现多次"))
    if size is not None:
        groups = {v.value for d in derived if d.name == "industry_group" for v in d.values}
        for row in size.groups:
            if row.group not in groups:
                problems.append(RuleProblem("derived/size_standard.yaml", f"groups.{row.group}",
                                            "该行业组别在 industry_group.yaml 中没有对应"))
    if problems:
        raise RuleFileError(problems)
    assert size is not None and local_units is not None
    ordered = tuple(sorted(measures, key=lambda m: int(m.id[1:])))
    return RuleBook(
        version=_fingerprint(root),
        measures=ordered,
        derived=tuple(derived),
        size_standard=size,
        local_units=local_units,
        directory=root,
        release=release,
        by_id={m.id: m for m in ordered},
        item_fields=tuple(item_fields.fields) if item_fields is not None else (),
    )


@cache
def default_rules() -> RuleBook:
    """The rules of this process (loaded once; reload by starting a new process)."""
    return load_rules()
