"""The one module that touches durable-rules (see shared/design/durable-rules-notes.md).

huiqi drives the durable-rules C core directly instead of through ``durable.engine.Host``:
its actions only record which rule fired, so the Host's per-action state round trip
(JSON in, JSON out, ``update_state``) is pure cost, and the Host's timer thread is a
known hazard. Every trap in the notes is handled here:

- one sid per ruleset, kept for the life of the process: each run asserts its facts, drains the
  actions and retracts every fact it asserted (creating a sid clears memory for every node of
  the network: it cost more than the rules of a whole evaluation). A run that fails deletes the
  sid, and the next run opens another (so at most one live sid per ruleset, far below 1,024);
- a catch-all rule on the fact that opens a sid, so an action has always run before the sid
  is deleted (deleting a sid where nothing ran segfaults), and a "sink" rule that
  every fact alpha-matches but that never fires, so a fact no rule tests is not an
  error (an unmatched fact otherwise crashes a batch assert);
- no timer thread at all, and one evaluation at a time per process (a lock);
- any failure while draining actions abandons the action and is raised, never lost;
- a ruleset name is registered once per process (names cannot be re-registered);
- every fact of a sid carries an ``id`` whose 32-bit hash no other fact of the sid shares
  (``fact_id``): the C core tells facts apart by that hash alone (see ``FactIds``).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import durable_rules_engine as core
import orjson

from engine.compiled import CompiledRule, Fired, Firing

CATCH_ALL = "__catch_all"
# A sid's pools grow to the most facts it held at once (about 7 KB each) and never shrink: after a
# run of more facts than this (a few long lists, a batch session of them) the sid is deleted and the
# next run opens a new one (about 50 µs), so a worker keeps at most a few MB per ruleset.
KEPT_SID_FACTS = 512
ITEM = "item"  # the alias of the item fact in a per-item rule (engine.compile)
SINK = "__sink"


class EngineError(RuntimeError):
    """durable-rules reported a failure while evaluating (a defect, never a user error)."""


_LOCK = threading.Lock()
# An action message is {"<rule>": {"<alias>": {fact}, ...}} with flat facts whose first keys are
# always ``e``, ``t``, ``i`` (see ``_session_facts`` and engine.facts); only the rule name, the
# enterprise and the item's index are needed, so they are cut out instead of parsing the JSON. The C core
# copies each fact's JSON as asserted (orjson: no spaces) into the message, so the patterns allow none:
# optional spaces made them cost a third more (a message they do not match raises, never misleads).
_RULE_AND_ENTERPRISE = re.compile(r'\{"([^"]+)":\{"([^"]+)":\{"e":(\d+)(?:,"t":"[^"]*","i":(-?\d+))?')
_ITEM_INDEX = re.compile(r'"item":\{[^{}]*?"i":(-?\d+)')
_REGISTERED: dict[str, RuleSession] = {}


def _joined_on_enterprise(when: dict[str, Any]) -> dict[str, Any]:
    """Join every later pattern of a rule to its first on ``e``.

    Several enterprises share one session in a batch (a session costs per rule to create, a
    fact far less), so facts of different enterprises must never meet in one firing. The join
    goes right after the type test, before any ``$or`` (see ``or_last``).
    """
    patterns = when["all"]
    if len(patterns) < 2:
        return when
    (first,) = patterns[0]
    joined = [patterns[0]]
    for pattern in patterns[1:]:
        ((alias, test),) = pattern.items()
        exprs = list(test["$and"]) if "$and" in test else [test]
        joined.append({alias: {"$and": [exprs[0], {"e": {first: "e"}}, *exprs[1:]]}})
    return {**when, "all": joined}


def fnv1a32(text: str) -> int:
    """The hash the C core files a fact under (``fnv1Hash32`` in state.c, on the id string)."""
    value = 0x811C9DC5
    for byte in text.encode():  # ids are ASCII: the C code's signed char never sign-extends
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class FactIds:
    """Fact ids, the n-th for the n-th fact asserted in a sid, no two with the same 32-bit hash.

    durable-rules 2.0.28 stores a sid's facts in an index keyed by ``fnv1Hash32(id)`` and never
    compares the id strings (``storeMessage`` in state.c): a second fact whose id hashes alike is
    refused as "already observed" (``assert_facts`` returns 2), however different it is. A fact
    without an ``id`` gets one from a 64-bit hash of its content, hashed again to 32 bits, so in a
    sid of thousands of facts two could collide (30,000 empty hires always did on some dates).
    Numbering the facts of a sid 0, 1, 2… is not enough either ("40189" and "797186" share a hash):
    candidates whose hash is taken are skipped, once per process, so ids are distinct by construction.
    """

    def __init__(self, candidate: Callable[[int], str] = str) -> None:
        self._candidate = candidate
        self._ids: list[str] = []
        self._hashes: set[int] = set()
        self._next = 0

    def get(self, number: int) -> str:
        return self.first(number + 1)[number]

    def first(self, count: int) -> list[str]:
        """The ids of the first ``count`` facts of a sid (the table grows to the largest sid seen)."""
        while len(self._ids) < count:  # called under _LOCK
            text = self._candidate(self._next)
            self._next += 1
            value = fnv1a32(text)
            if value not in self._hashes:
                self._hashes.add(value)
                self._ids.append(text)
        return self._ids[:count]


_FACT_IDS = FactIds()


def fact_id(number: int) -> str:
    """The id of the ``number``-th fact asserted in a sid."""
    return _FACT_IDS.get(number)


def _session_facts(facts: Iterable[dict[str, Any]], sid: str) -> list[dict[str, Any]]:
    # ``e`` leads so the action message shows it first; facts of one enterprise default to 0
    listed = list(facts)
    return [{"e": fact.get("e", 0), **fact, "sid": sid, "id": id_} for fact, id_ in
            zip(listed, _FACT_IDS.first(len(listed)), strict=True)]


def _dumps(facts: list[dict[str, Any]]) -> str:
    return orjson.dumps(facts).decode()  # about 8x faster than json.dumps: a batch asserts thousands


class RuleSession:
    """A compiled ruleset registered in the C core; ``run`` evaluates facts in its one sid."""

    def __init__(self, name: str, rules: Mapping[str, CompiledRule]) -> None:
        self.name = name
        self._rules = dict(rules)
        # what a firing of each rule records: its tags, whether it is per item, the fact it derives
        self._meaning = {rule_name: (rule.tags, rule.per_item, rule.asserts, rule.carries)
                         for rule_name, rule in self._rules.items()}
        self._sids = itertools.count(1)
        self._sid: str | None = None  # the live sid (see _open), None until the first run or after a failure
        self._retracted_sid: str | None = None  # the sid _retractions are written for
        self._retractions: list[str] = []
        definition = {rule_name: _joined_on_enterprise(rule.when) for rule_name, rule in self._rules.items()}
        # fires once per sid, on the fact that opens it (marked ``c``)
        definition[CATCH_ALL] = {"all": [{"m": {"c": 1}}], "pri": 1_000_000}
        definition[SINK] = {"all": [{"a": {"$gte": {"i": -1}}}, {"b": {"t": "__never__"}}]}
        self._handle = core.create_ruleset(name, json.dumps(definition, ensure_ascii=False))

    def run(self, facts: Iterable[dict[str, Any]]) -> list[Firing]:
        """Assert all facts, drain the actions, return what fired, one per tag; the sid is left empty.

        Facts may belong to several enterprises (their ``e``); rules never join across them.
        """
        return [Firing(tag, item, enterprise) for tags, item, enterprise in self.fire(facts) for tag in tags]

    def fire(self, facts: Iterable[dict[str, Any]]) -> list[Fired]:
        """As ``run``, one entry per rule firing: (its tags, item index, enterprise)."""
        with _LOCK:
            sid = self._sid or self._open()
            batch = _session_facts(facts, sid)
            if not batch:
                return []
            asserted: list[dict[str, Any]] = []
            try:
                firings = self._drain(sid, batch, asserted)
                self._retract_first(sid, len(asserted))
            except BaseException:
                self.close()  # whatever the failure left in the sid goes with it
                raise
            if len(asserted) > KEPT_SID_FACTS:
                self.close()  # the C core never shrinks a sid's pools: a long list's memory goes with its sid
            return firings

    @property
    def live_facts(self) -> list[Any]:
        """The facts left in the sid between runs: none (for tests)."""
        with _LOCK:
            return [] if self._sid is None else json.loads(core.get_facts(self._handle, self._sid))

    def _open(self) -> str:
        """A new sid, in which an action has run (so it can be deleted) and no fact is left."""
        sid = f"s{next(self._sids)}"
        opener = [{"e": 0, "t": "__open__", "i": -1, "c": 1, "sid": sid, "id": "open"}]
        result = core.assert_facts(self._handle, _dumps(opener))
        started = core.start_action_for_state(self._handle, result[1]) if result[0] in (0, 3) else None
        if not started:
            raise EngineError("没有规则被触发（缺少兜底规则）/ no action ran (catch-all missing)")
        while started := core.complete_and_start_action(self._handle, result[1]):
            pass
        try:
            self._retract(sid, opener)
        except BaseException:
            core.delete_state(self._handle, sid)
            raise
        self._sid = sid
        return sid

    def close(self) -> None:
        """Delete the sid: the next run opens a new one (after a failure; tests compare the two)."""
        sid, self._sid = self._sid, None
        if sid is not None:
            core.delete_state(self._handle, sid)

    def _retract_first(self, sid: str, count: int) -> None:
        """Take the facts of a run out of the sid: a run's facts are the first ``count`` ids (``fact_id``)."""
        if self._retracted_sid != sid:
            self._retracted_sid, self._retractions = sid, []
        parts = self._retractions  # the JSON of {"sid", "id"} of the n-th fact, for this sid
        if len(parts) < count:
            parts += [orjson.dumps({"sid": sid, "id": id_}).decode() for id_ in _FACT_IDS.first(count)[len(parts):]]
        self._retract_json(f"[{','.join(parts[:count])}]")

    def _retract(self, sid: str, facts: list[dict[str, Any]]) -> None:
        """Take the facts of a run out of the sid (by id: the C core finds a fact by it alone)."""
        self._retract_json(_dumps([{"sid": sid, "id": fact["id"]} for fact in facts]))

    def _retract_json(self, facts: str) -> None:
        result = core.retract_facts(self._handle, facts)
        if result[0] != 0:
            raise EngineError(f"durable-rules 撤回返回代码 {result[0]} / retract returned code {result[0]}")
        if core.start_action_for_state(self._handle, result[1]):
            # no rule tests absence (notes, trap 4): a retraction can never make one fire
            raise EngineError("撤回事实后有规则被触发 / a rule fired on retraction")

    def _drain(self, sid: str, batch: list[dict[str, Any]], asserted: list[dict[str, Any]]) -> list[Fired]:
        """Forward chaining to a fixpoint: assert, run every action, assert what they derived.
        Every fact asserted is added to ``asserted`` (to be retracted)."""
        firings: list[Fired] = []
        derived_once: set[tuple[int, str]] = set()
        # what a derived fact carries of its enterprise's own fact (CompiledRule.carries)
        enterprises = {fact["e"]: fact for fact in batch if fact["t"] == "ent"}
        numbers = itertools.count(len(batch))  # ids of the derived facts go on from the input's
        while batch:
            result = core.assert_facts(self._handle, _dumps(batch))
            asserted += batch
            if result[0] == 2:
                raise EngineError("重复的事实 / duplicate fact asserted")
            if result[0] not in (0, 3):
                raise EngineError(f"durable-rules 返回代码 {result[0]} / returned code {result[0]}")
            derived: list[dict[str, Any]] = []
            started = core.start_action_for_state(self._handle, result[1])
            if not started:
                return firings
            message = started[1]
            while message:
                try:
                    self._record(message, sid, firings, derived_once, derived, numbers, enterprises)
                except BaseException:
                    core.abandon_action(self._handle, result[1])
                    raise
                message = core.complete_and_start_action(self._handle, result[1])
            batch = derived
        return firings

    def _record(self, message: str, sid: str, out: list[Fired], derived_once: set[tuple[int, str]],
                derived: list[dict[str, Any]], numbers: Iterator[int],
                enterprises: Mapping[int, dict[str, Any]]) -> None:
        head = _RULE_AND_ENTERPRISE.match(message)
        if head is None:
            raise EngineError(f"无法识别的规则消息 / unreadable action message: {message[:80]}")
        name, alias, enterprise_text, first_index = head.groups()
        if name == CATCH_ALL:
            return
        tags, per_item, asserts, carries = self._meaning[name]
        enterprise = int(enterprise_text)
        item = -1
        if per_item:
            if alias == ITEM and first_index is not None:
                item = int(first_index)  # the item is the first fact of the message: read with the head
            else:
                index = _ITEM_INDEX.search(message)
                if index is None:
                    raise EngineError(f"规则 {tags[0]} 的消息中没有项目序号 / no item index")
                item = int(index.group(1))
        out.append((tags, item, enterprise))
        if asserts is not None and (enterprise, tags[0]) not in derived_once:
            # a rule whose $or has several true branches fires once per branch: derive once
            derived_once.add((enterprise, tags[0]))
            # forward chaining: the derived fact joins the same sid in the next round
            fact = {"e": enterprise, **asserts}
            if carries:
                own = enterprises[enterprise]
                fact.update((attribute, own[attribute]) for attribute in carries if attribute in own)
            derived.append({**fact, "sid": sid, "id": fact_id(next(numbers))})


def busy() -> bool:
    """Whether an evaluation holds the engine right now (in another thread of this process)."""
    return _LOCK.locked()


def session_for(name: str, build: Callable[[], Mapping[str, CompiledRule]]) -> RuleSession:
    """The session of the rules ``build`` compiles, registered under ``name`` on first use in this
    process (a ruleset name cannot be registered twice)."""
    with _LOCK:
        existing = _REGISTERED.get(name)
        if existing is None:
            existing = _REGISTERED[name] = RuleSession(name, build())
        return existing
