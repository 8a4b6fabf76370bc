"""Evaluate one chunk of records: runs in a worker process, one durable-rules engine per process."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from batch import column_lane
from batch.column_lane import LaneEnterprise
from batch.csv_index import SOURCE, IndexFiles, Slice, gathered_of, leftover, record_at, records_of
from batch.readers import Record, Stray
from batch.schema import KEY
from engine import ProfileError, RuleBook, default_rules, evaluate, parse_profile
from engine.evaluate import evaluate_many
from engine.profile import Profile
from engine.reliance import relied_fields
from engine.result import Result
from store.db import dump_json
from store.runs import RegistryRow, registry_row

ResultRow = tuple[str, str, str | None, str | None, str | None, str, str | None, str | None, str, str, str]
# (credit_code, measure, name, district, zone, amount_kind, amount_yuan, formula, reasons JSON, units JSON,
# provenance): the JSON texts made here, in the workers, so the main process only stores them;
# a list of the same after crossing processes (see ChunkOutcome.__getstate__)
RejectRow = tuple[Any, ...]  # Stray.row(): (file, line, credit_code, field, reason, kind, source name, sheet, column)


@dataclass
class ChunkOutcome:
    chunk_no: int
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    results: list[ResultRow] = field(default_factory=list)
    rejections: list[RejectRow] = field(default_factory=list)
    registry: list[RegistryRow] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)  # validate_s, evaluate_s, collect_s of this chunk

    # Sent back from every worker: the result rows (thousands of small tuples, lists and strings)
    # travel as one JSON blob, about 8x cheaper to pickle and unpickle; they come back as lists.
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "results": orjson.dumps(self.results)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({**state, "results": orjson.loads(state["results"])})


@dataclass(frozen=True)
class Job:
    as_of: dt.date
    measures: frozenset[str]
    keep_registry: bool = True
    engine: str = "rete"  # rete: durable-rules, enterprise by enterprise; columnar: engine.columnar
    chunk_size: int = 500
    verify: frozenset[int] = frozenset()  # positions in the input stream re-evaluated on Rete (columnar)


class VerifyError(Exception):
    """The columnar and the Rete path disagree on a sampled enterprise: the run must fail."""


_BOOK: RuleBook | None = None


def book() -> RuleBook:
    """This process's rule book; the first call also builds the durable-rules ruleset."""
    global _BOOK
    if _BOOK is None:
        _BOOK = default_rules()
        evaluate(parse_profile({}), dt.date(2026, 1, 1), _BOOK)  # build the engine once, now
    return _BOOK


def _reject(record: Record, path: str, code: str | None, reason: str) -> RejectRow:
    """A rejection of ``record`` located at the cell (department sources) or file line ``path`` came from."""
    if record.provenance is not None:
        at = record.provenance.locate(path)
        return Stray(at.file, at.row, code, path, reason, "rejected", at.source, at.sheet, at.column).row()
    source, line = _locate(record, path)
    return Stray(source, line, code, path, reason).row()


def _locate(record: Record, path: str) -> tuple[str, int]:
    """Map a field path like ``hires[2].birth_date`` back to the child file line it came from."""
    if record.origins and "[" in path:
        name, _, rest = path.partition("[")
        index = rest.split("]", 1)[0]
        if name in record.origins and index.isdigit() and int(index) < len(record.origins[name]):
            return record.origins[name][int(index)]
    return record.source, record.line


def _validated(record: Record, out: ChunkOutcome) -> Profile | None:
    """The record's profile, or ``None`` after reporting why it is rejected (or not counted)."""
    if record.strays:  # most records have none: no generator for them
        out.rejections.extend(s.row() for s in record.strays)
    if not record.counted:
        return None
    out.rows += 1
    if record.rejects:
        out.rejections.extend(s.row() for s in record.rejects)
        out.rejected += 1
        return None
    if record.error is not None:
        field_name, reason = record.error
        out.rejections.append(_reject(record, field_name, _raw_code(record), reason))
        out.rejected += 1
        return None
    try:
        profile = parse_profile(record.data)
        if profile.credit_code is None:
            raise ProfileError([_missing_code()])
    except ProfileError as exc:
        raw_code = _raw_code(record)
        for error in exc.errors:
            out.rejections.append(_reject(record, error.field, raw_code, error.message_zh))
        out.rejected += 1
        return None
    return profile


def _raw_code(record: Record) -> str | None:
    """The credit code as the record wrote it, to name a rejected row by (only rejections need it)."""
    return str((record.data or {}).get(KEY) or "") or None


def _row(record: Record, profile: Profile, measure: str, amount: Any, reasons: str, units: str,
         industry_group: str | None) -> ResultRow:
    """A list line of an eligible measure, with where its facts came from (``reasons``, ``units``: JSON)."""
    assert profile.credit_code is not None
    provenance = (f"{record.source} 第 {record.line} 行" if record.provenance is None
                  else record.provenance.text(_relied(measure, industry_group)))
    return (profile.credit_code, measure, profile.name, profile.district, profile.zone, amount.kind,
            None if amount.yuan is None else str(amount.yuan), amount.formula, reasons, units, provenance)


def _collect(record: Record, profile: Profile, result: Result, job: Job, out: ChunkOutcome) -> None:
    found = 0
    for item in result.results:
        if item.status != "eligible" or item.measure not in job.measures:
            continue
        found += 1
        out.results.append(_row(record, profile, item.measure, item.amount, dump_json(list(item.reasons)),
                                dump_json([*item.units.city, *item.units.local]), result.derived.industry_group))
    _count(record, profile, found, job, out)


def _count(record: Record, profile: Profile, found: int, job: Job, out: ChunkOutcome) -> None:
    code = profile.credit_code
    if found:
        out.matched += 1
    else:
        out.unmatched += 1
    if job.keep_registry:
        out.registry.append(registry_row(
            code, profile.name, profile.district, profile.model_dump_json(exclude_none=True),
            _registry_source(record), None if record.provenance is None else record.provenance.as_json(),
        ))


def _registry_source(record: Record) -> str:
    if record.provenance is None:
        return f"{record.source}:{record.line}"
    at = record.provenance.locate("")
    return f"{at.source} {at.file}" + (f"[{at.sheet}]" if at.sheet else "") + f":{at.row}"


_RELIED: dict[tuple[str, str | None], frozenset[str]] = {}


def _relied(measure: str, industry_group: str | None) -> frozenset[str]:
    """Top-level profile fields a measure's decision reads (its 数据来源 names only their sources)."""
    key = (measure, industry_group)
    found = _RELIED.get(key)
    if found is None:
        paths = relied_fields(measure, default_rules(), industry_group)
        found = _RELIED[key] = frozenset(p.split("[")[0].split(".")[0] for p in paths)
    return found


def _missing_code() -> Any:
    from engine.errors import FieldError

    return FieldError(KEY, "必须填写（批量匹配按统一社会信用代码归集）", "required for batch matching")


def evaluate_chunk(chunk_no: int, records: list[Record], job: Job) -> ChunkOutcome:
    """Validate every record, then evaluate the valid ones together: in one columnar run, or many
    per durable-rules session."""
    ready(job.engine)
    out = ChunkOutcome(chunk_no)
    started = time.perf_counter()
    valid = [(position, record, profile) for position, record in enumerate(records, chunk_no * job.chunk_size)
             if (profile := _validated(record, out)) is not None]
    profiles = [profile for _, _, profile in valid]
    out.timing["validate_s"] = time.perf_counter() - started
    if job.engine == "columnar":
        _columnar(valid, profiles, job, out)
        return out
    started = time.perf_counter()
    # the lists say who is eligible: near-miss answers are for the faces that talk to one enterprise
    results = evaluate_many(profiles, job.as_of, book(), near_miss=False)
    out.timing["evaluate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    for (_, record, profile), result in zip(valid, results, strict=True):
        _collect(record, profile, result, job, out)
    out.timing["collect_s"] = time.perf_counter() - started
    return out


@dataclass(frozen=True)
class RecordsTask:
    """A chunk whose records the main process read (JSON Lines, Parquet, department sources)."""

    number: int
    records: list[Record]

    @property
    def counted(self) -> int:
        return sum(r.counted for r in self.records)

    def evaluate(self, job: Job) -> ChunkOutcome:
        return evaluate_chunk(self.number, self.records, job)


@dataclass(frozen=True)
class SliceTask:
    """A chunk of a CSV folder that the worker reads and merges from the index itself."""

    files: IndexFiles
    part: Slice

    @property
    def number(self) -> int:
        return self.part.number

    @property
    def counted(self) -> int:
        return self.part.count

    def evaluate(self, job: Job) -> ChunkOutcome:
        if job.engine == "columnar" and column_lane.ENABLED:
            return _in_lane(self.files, self.part, job)
        started = time.perf_counter()
        records = records_of(self.files, self.part)
        merged = time.perf_counter() - started
        out = evaluate_chunk(self.part.number, records, job)
        out.timing["merge_s"] = merged
        return out


Task = RecordsTask | SliceTask


def _columnar(valid: list[tuple[int, Record, Profile]], profiles: list[Profile], job: Job,
              out: ChunkOutcome) -> None:
    from engine.columnar import evaluate_columns

    rules = default_rules()
    measures = [m.id for m in rules.measures if m.id in job.measures]
    started = time.perf_counter()
    run = evaluate_columns(profiles, job.as_of, rules, measures)
    out.timing["evaluate_s"] = time.perf_counter() - started
    _collect_columns(valid, run, measures, job, out)
    sample = [e for e, (position, _, _) in enumerate(valid) if position in job.verify]
    if sample:
        verify(run, sample, job.as_of)


def _collect_columns(valid: Sequence[tuple[int, Record, Profile | LaneEnterprise]], run: Any, measures: list[str],
                     job: Job, out: ChunkOutcome) -> None:
    """The list lines and registry rows of a columnar run over the ``valid`` enterprises (in run order)."""
    rules = run.book
    started = time.perf_counter()
    found = [0] * len(valid)
    city = {m.id: m.units for m in rules.measures}
    profiles = [profile for _, _, profile in valid]
    places = [(p.district, p.zone) for p in profiles]
    groups = run.derived["industry_group"]
    # one JSON text per measure and locality, and per wording: most rows repeat a few of each
    units: dict[tuple[str, str | None, str | None], str] = {}
    worded: dict[tuple[str, ...], str] = {}
    for measure in measures:
        for e, amount, reasons in run.eligible(measure):
            found[e] += 1
            place = (measure, *places[e])
            if place not in units:
                units[place] = dump_json([*city[measure], *rules.local_units.local_for(*places[e])])
            wording = tuple(reasons)
            if wording not in worded:
                worded[wording] = dump_json(list(reasons))
            out.results.append(_row(valid[e][1], profiles[e], measure, amount, worded[wording], units[place],
                                    groups[e]))
    for (_, record, profile), count in zip(valid, found, strict=True):
        _count(record, profile, count, job, out)
    out.timing["collect_s"] = time.perf_counter() - started


def _in_lane(files: IndexFiles, part: Slice, job: Job) -> ChunkOutcome:
    """A CSV chunk on the columnar engine: plain enterprises through the column lane, the rest record by
    record as ``evaluate_chunk`` takes them; the same outcome (tests/batch/test_column_lane.py)."""
    from engine.columnar.evaluate import run_frames
    from engine.columnar.frames import frames_of

    ready(job.engine)
    out = ChunkOutcome(part.number)
    started = time.perf_counter()
    gathered = gathered_of(files, part)
    out.timing["merge_s"] = time.perf_counter() - started
    started = time.perf_counter()
    rules = default_rules()
    lane = column_lane.take(gathered, job.as_of, rules.fact_plan)
    taken = dict(zip(lane.positions, column_lane.enterprises_of(lane, gathered), strict=True))
    valid: list[tuple[int, Record, Profile | LaneEnterprise]] = []
    at: list[tuple[int, Profile | None]] = []  # per valid enterprise: its position, its profile if it has one
    lane_e: list[int] = []
    usual: list[Profile] = []
    usual_e: list[int] = []
    for position, (_, line, _) in enumerate(gathered.enterprises):
        plain = taken.get(position)
        if plain is not None:  # counted and valid, with nothing to report
            out.rows += 1
            lane_e.append(len(valid))
            valid.append((position, Record(SOURCE, line, None), plain))
            at.append((position, None))
            continue
        record = record_at(gathered, position)
        profile = _validated(record, out)
        if profile is not None:
            usual_e.append(len(valid))
            valid.append((position, record, profile))
            at.append((position, profile))
            usual.append(profile)
    last = leftover(gathered)
    if last is not None:
        _validated(last, out)
    out.timing["validate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    measures = [m.id for m in rules.measures if m.id in job.measures]
    frames = column_lane.combined(lane, lane_e, frames_of(usual, job.as_of, rules.fact_plan), usual_e, len(valid))
    profiles = column_lane.Profiles(gathered, at)
    run = run_frames(frames, profiles, job.as_of, rules, measures, profiles.listed)
    out.timing["evaluate_s"] = time.perf_counter() - started
    _collect_columns(valid, run, measures, job, out)
    first = part.number * job.chunk_size  # --verify draws positions in the input stream
    sample = [e for e, (position, _, _) in enumerate(valid) if first + position in job.verify]
    if sample:
        verify(run, sample, job.as_of)  # the lane's enterprises too: their profiles are built for it
    return out


def verify(run: Any, sample: list[int], as_of: dt.date) -> None:
    """Re-evaluate ``sample`` (indexes into the run) with durable-rules; raise naming the first
    enterprise, measure and field that differ."""
    columnar = run.results(sample)
    reference = evaluate_many([run.profiles[e] for e in sample], as_of, book())
    for e, mine, theirs in zip(sample, columnar, reference, strict=True):
        a, b = mine.model_dump(mode="json"), theirs.model_dump(mode="json")
        if a == b:
            continue
        code = run.profiles[e].credit_code
        for field_name in a:
            if field_name != "results" and a[field_name] != b[field_name]:
                raise VerifyError(f"企业 {code}：字段 {field_name} 列式引擎为 {a[field_name]!r}，"
                                  f"durable-rules 为 {b[field_name]!r}")
        for x, y in zip(a["results"], b["results"], strict=True):
            for field_name in x:
                if x[field_name] != y[field_name]:
                    raise VerifyError(f"企业 {code}：措施 {x['measure']} 的字段 {field_name} 列式引擎为 "
                                      f"{x[field_name]!r}，durable-rules 为 {y[field_name]!r}")


def tune_gc() -> None:
    """Garbage collection for a process that evaluates for a long time.

    The rule book, the compiled rules and the decision caches live as long as the process, yet
    every collection of the oldest generation walked them again; a batch makes millions of
    short-lived objects, so collections were frequent. Freezing what exists now and collecting
    young objects less often cut a worker's time per enterprise by about a fifth (380 -> 292 µs).
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


_READY: set[str] = set()  # the engines this process has built (a worker of a shared pool builds on first use)


def ready(engine: str) -> None:
    """Build what ``engine`` needs, once per process: durable-rules for ``rete`` (about 1.3 s of CPU),
    only the compiled plans for ``columnar`` (durable-rules is built if ``--verify`` asks); then freeze
    what now exists out of the garbage collector's way (``tune_gc``)."""
    if engine in _READY:
        return
    if engine == "columnar":
        from engine.columnar import compiled

        compiled(default_rules())
    else:
        book()
    _READY.add(engine)
    tune_gc()
