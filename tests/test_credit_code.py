"""The canonical-code shortcut gives exactly stdnum's answer (engine.credit_code, issue 14).

``canonical(code)`` may only say yes where ``uscc.validate(code)`` returns the code itself; every other
spelling (lower case, spaces, hyphens, full-width or look-alike characters, wrong check character,
wrong length) must still reach stdnum, so a profile's value or its error message never changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from engine import credit_code
from engine.credit_code import canonical
from engine.profile import Profile

# characters that make codes look right to a person: the alphabet, its lower case, the letters the
# alphabet leaves out (I O S V Z), full-width digits and letters, dashes, spaces, a newline
NEAR = st.sampled_from(list(uscc._alphabet + uscc._alphabet.lower() + "IOSVZ ioz-–—\u3000\n\t０１９ＡＭ."))
BODY = st.tuples(st.text(st.sampled_from("0123456789"), min_size=8, max_size=8),
                 st.text(st.sampled_from(uscc._alphabet), min_size=9, max_size=9)).map("".join)


def _stdnum(value: str) -> str | type[Exception]:
    try:
        return uscc.validate(value)
    except (StdnumError, ValueError) as exc:  # ValueError: stdnum's own index() on odd characters
        return type(exc)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(NEAR, max_size=20), st.text(max_size=20),
                 BODY.flatmap(lambda b: st.tuples(st.just(b), NEAR, st.integers(0, 18))).map(
                     lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:])))
@example("91350203MA31X9QC1" + "0")
@example("91350203ma31x9qc1" + uscc.calc_check_digit("91350203MA31X9QC1").lower())
def test_canonical_only_where_stdnum_returns_the_code_itself(value: str) -> None:
    if canonical(value):
        assert _stdnum(value) == value


@settings(max_examples=500, deadline=None)
@given(BODY)
def test_every_correct_code_is_canonical_and_every_wrong_check_character_is_not(body: str) -> None:
    right = uscc.calc_check_digit(body)
    assert canonical(body + right) and uscc.validate(body + right) == body + right
    for wrong in uscc._alphabet:
        if wrong != right:
            assert not canonical(body + wrong)
            assert _stdnum(body + wrong) is not str


@contextmanager
def shortcut(on: bool) -> Iterator[None]:
    """The shortcut on or off in this process (HUIQI_FAST_VALIDATE is read once, at import)."""
    was = credit_code.ENABLED
    credit_code.ENABLED = on
    try:
        yield
    finally:
        credit_code.ENABLED = was


def _outcome(value: str) -> object:
    try:
        return Profile.model_validate({"credit_code": value}).model_dump_json()
    except ValidationError as exc:
        return [(e["loc"], e["msg"], e["type"]) for e in exc.errors(include_url=False)]


@settings(max_examples=1500, deadline=None)
@given(st.one_of(BODY.map(lambda b: b + uscc.calc_check_digit(b)), BODY.flatmap(lambda b: st.tuples(
    st.just(b + uscc.calc_check_digit(b)), NEAR, st.integers(0, 18))).map(lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:]),
    BODY.map(lambda b: f" {b.lower()}{uscc.calc_check_digit(b)} "), st.text(NEAR, max_size=20)))
def test_the_profile_is_the_same_with_the_shortcut_on_and_off(value: str) -> None:
    with shortcut(False):
        before = _outcome(value)
    with shortcut(True):
        assert _outcome(value) == before


def test_the_weights_are_stdnums() -> None:
    # calc_check_digit's weights are local to it: recover them from its answers for unit bodies
    for position, weight in enumerate(credit_code.WEIGHTS):
        body = "0" * position + "1" + "0" * (16 - position)
        assert uscc._alphabet[(31 - weight) % 31] == uscc.calc_check_digit(body)
        assert pow(credit_code.BASE, position, 31) == weight  # what canonical's base-34 number stands on
