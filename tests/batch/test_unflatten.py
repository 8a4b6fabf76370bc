"""``batch.schema.unflatten``, and ``unflattener`` made once for a header and used for every row with
those keys, give the very dict (same keys, same order, same nesting) as before issue 14; so does
``cells_unflattener`` for a CSV row kept as its list of cells (as ``batch.csv_index.merge`` reads them).
The reference below is the old body, verbatim."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from batch.schema import (
    BOOL_WORDS,
    _key_plan,
    cells_unflattener,
    child_columns,
    enterprise_columns,
    list_fields,
    unflatten,
    unflattener,
)


def _before(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        parts, is_bool = _key_plan(prefix, key)
        if is_bool and value in BOOL_WORDS:
            value = BOOL_WORDS[value]
        if len(parts) == 1:
            out[key] = value
            continue
        target = out
        for part in parts[:-1]:
            nested = target.setdefault(part, {})
            if not isinstance(nested, dict):
                break
            target = nested
        else:
            target[parts[-1]] = value
    return out


PREFIXES = ["", *(f"{name}." for name in list_fields())]
KEYS = sorted({c.path for c in enterprise_columns()} | {c.path for f in list_fields() for c in child_columns(f)}
              | {"insurance_months", "x.y", "a..b", ".a", "name.first", "unknown"})
VALUES = st.one_of(st.sampled_from(["", "是", "否", "true", "0", " 是", "x", "2024-01-01"]), st.none(),
                   st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))


def _outcome(function: Any, row: dict[str, Any], prefix: str) -> str:
    try:
        return repr(function(row, prefix))  # repr: the key order counts too
    except TypeError as exc:  # an unhashable value in a boolean column, both ways
        return f"TypeError {exc}"


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PREFIXES), st.lists(st.sampled_from(KEYS), unique=True, max_size=14), st.data())
def test_unflatten_is_what_it_was(prefix: str, keys: list[str], data: st.DataObject) -> None:
    row = {key: data.draw(VALUES) for key in keys}
    assert _outcome(unflatten, row, prefix) == _outcome(_before, row, prefix)
    header = unflattener(prefix, tuple(keys))
    for _ in range(3):  # other rows of the same file
        other = {key: data.draw(VALUES) for key in keys}
        assert _outcome(lambda r, _p: header(r), other, prefix) == _outcome(_before, other, prefix)


# runs of one parent's keys side by side or apart, parents that are keys too, deeper nesting
NESTED = KEYS + ["a", "a.x", "a.y", "a.z", "b.x", "b.y", "c.d.e", "c.d", "hires.x"]
CELLS = st.sampled_from(["", "", "是", "否", "true", "0", " ", "x", "2024-01-01"])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PREFIXES), st.lists(st.sampled_from(NESTED), unique=True, max_size=16), st.booleans(),
       st.data())
def test_cells_unflattener_is_unflatten_of_the_row(prefix: str, keys: list[str], grouped: bool,
                                                    data: st.DataObject) -> None:
    if grouped:  # a CSV header most often keeps one parent's columns together
        keys.sort()
    header = cells_unflattener(prefix, tuple(keys))
    for _ in range(3):  # rows of the same file
        cells = [data.draw(CELLS) for _ in keys]
        assert repr(header(cells)) == repr(_before(dict(zip(keys, cells, strict=True)), prefix))
