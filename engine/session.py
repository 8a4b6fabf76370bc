"""The one module that touches durable-rules (see shared/design/durable-rules-notes.md).

huiqi drives the durable-rules C core directly instead of through ``durable.engine.Host``:
its actions only record which rule fired, so the Host's per-action state round trip
(JSON in, JSON out, ``update_state``) is pure cost, and the Host's timer thread is a
known hazard. Every trap in the notes is handled here:

- a fresh sid per evaluation, deleted in ``finally`` (at most 1,024 live sids);
- a catch-all rule on the enterprise fact, so an action has always run before the sid
  is deleted (deleting a sid where nothing ran segfaults), and a "sink" rule that
  every fact alpha-matches but that never fires, so a fact no rule tests is not an
  error (an unmatched fact otherwise crashes a batch assert);
- no timer thread at all, and one evaluation at a time per process (a lock);
- any failure while draining actions abandons the action and is raised, never lost;
- a ruleset name is registered once per process (names cannot be re-registered).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import durable_rules_engine as core

from engine.compiled import CompiledRule, Firing

CATCH_ALL = "__catch_all"
SINK = "__sink"


class EngineError(RuntimeError):
    """durable-rules reported a failure while evaluating (a defect, never a user error)."""


_LOCK = threading.Lock()
# An action message is {"<rule>": {"<alias>": {fact}, ...}} with flat facts; only the rule
# name and the item's index are needed, so they are cut out instead of parsing the JSON.
_RULE_NAME = re.compile(r'^\{"([^"]+)"')
_ITEM_INDEX = re.compile(r'"item":\{[^{}]*?"i": ?(-?\d+)')
_REGISTERED: dict[str, dict[str, RuleSession]] = {}


class RuleSession:
    """A compiled ruleset registered in the C core; ``run`` evaluates facts in a fresh sid."""

    def __init__(self, name: str, rules: Mapping[str, CompiledRule], fact_type: str = "ent") -> None:
        self.name = name
        self._rules = dict(rules)
        self._sids = itertools.count(1)
        definition = {rule_name: rule.when for rule_name, rule in self._rules.items()}
        # fires once per evaluation: on the enterprise fact, or on the first item of a list
        first = {"t": fact_type} if fact_type == "ent" else {"$and": [{"t": fact_type}, {"i": 0}]}
        definition[CATCH_ALL] = {"all": [{"m": first}], "pri": 1_000_000}
        definition[SINK] = {"all": [{"a": {"$gte": {"i": -1}}}, {"b": {"t": "__never__"}}]}
        self._handle = core.create_ruleset(name, json.dumps(definition, ensure_ascii=False))

    def run(self, facts: Iterable[dict[str, Any]]) -> list[Firing]:
        """Assert all facts in one new sid, drain the actions, return what fired."""
        with _LOCK:
            sid = f"s{next(self._sids)}"
            batch = [{**fact, "sid": sid} for fact in facts]
            try:
                return self._drain(sid, batch)
            finally:
                core.delete_state(self._handle, sid)

    def _drain(self, sid: str, batch: list[dict[str, Any]]) -> list[Firing]:
        result = core.assert_facts(self._handle, json.dumps(batch, ensure_ascii=False))
        if result[0] == 2:
            raise EngineError("重复的事实 / duplicate fact asserted")
        if result[0] not in (0, 3):
            raise EngineError(f"durable-rules 返回代码 {result[0]} / returned code {result[0]}")
        firings: list[Firing] = []
        asserted: set[str] = set()
        started = core.start_action_for_state(self._handle, result[1])
        if not started:
            raise EngineError("没有规则被触发（缺少兜底规则）/ no action ran (catch-all missing)")
        action_handle = result[1]
        message = started[1]
        while True:
            try:
                self._record(message, sid, firings, asserted)
            except BaseException:
                core.abandon_action(self._handle, action_handle)
                raise
            message = core.complete_and_start_action(self._handle, action_handle)
            if not message:
                return firings

    def _record(self, message: str, sid: str, out: list[Firing], asserted: set[str]) -> None:
        name = _RULE_NAME.match(message)
        if name is None:
            raise EngineError(f"无法识别的规则消息 / unreadable action message: {message[:80]}")
        if name.group(1) == CATCH_ALL:
            return
        rule = self._rules[name.group(1)]
        item = -1
        if rule.per_item:
            index = _ITEM_INDEX.search(message)
            if index is None:
                raise EngineError(f"规则 {rule.tag} 的消息中没有项目序号 / no item index")
            item = int(index.group(1))
        out.append(Firing(rule.tag, item))
        out.extend(Firing(tag, item) for tag in rule.also)
        if rule.asserts is not None and rule.tag not in asserted:
            # a rule whose $or has several true branches fires once per branch: assert once
            asserted.add(rule.tag)
            # forward chaining: the derived fact joins the same sid and may fire more rules
            code = core.assert_fact(self._handle, json.dumps({**rule.asserts, "sid": sid}, ensure_ascii=False))
            if code[0] == 2:
                raise EngineError(f"派生事实重复 / derived fact asserted twice: {rule.tag}")


def sessions_for(
    name: str, build: Callable[[], Mapping[str, Mapping[str, CompiledRule]]]
) -> dict[str, RuleSession]:
    """One session per fact type (``ent``, ``hires``, …) registered under ``name``, compiled on
    first use in this process. Rules are split by fact type because durable-rules tests every
    fact against every rule: an item never needs the enterprise rules, nor the reverse."""
    with _LOCK:
        existing = _REGISTERED.get(name)
        if existing is None:
            existing = {
                fact_type: RuleSession(f"{name}_{fact_type}", rules, fact_type)
                for fact_type, rules in build().items()
            }
            _REGISTERED[name] = existing
        return existing
