"""The stored profile text of a registry row: the workers write ``Profile.model_dump_json``, which must
be the same text (and so the same digest) as ``dump_json`` of the profile's JSON dump, the form every
stored profile had before: a different text would make a run's unchanged profiles look changed to
``huiqi batch what-if`` and store them twice in profile_snapshots."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ProfileError, parse_profile
from store.db import dump_json
from store.runs import profile_digest, registry_row
from tests.strategies import profiles

# any text a CSV or JSON file can carry: control characters, quotes, backslashes, CJK, emoji…
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=profiles, name=texts, program=texts)
def test_stored_profile_text_is_the_json_dump(raw: dict[str, Any], name: str, program: str) -> None:
    data = {**raw, "name": name.strip()[:200] or None,
            "exhibitions": [{"program": program.strip()[:100] or None, "fees_yuan": "1200.50"}]}
    try:
        profile = parse_profile({k: v for k, v in data.items() if v is not None})
    except ProfileError:
        return
    expected = dump_json(profile.model_dump(mode="json", exclude_none=True))
    row = registry_row("91350200MA2XXXXX0X", profile.name, profile.district,
                       profile.model_dump_json(exclude_none=True), "enterprises.csv:2", None)
    assert row[3] == expected
    assert row[4] == profile_digest(expected)


def test_text_with_escapes_is_the_json_dump() -> None:
    profile = parse_profile({"name": '引号" 反斜杠\\ 换行\n 制表\t \x01 \u2028 😀', "revenue_yuan": "100.10",
                             "hires": [{}], "founded_on": "2020-02-29"})
    text = profile.model_dump_json(exclude_none=True)
    assert text == dump_json(profile.model_dump(mode="json", exclude_none=True))
    assert '"revenue_yuan":"100.10"' in text and '"hires":[{}]' in text
