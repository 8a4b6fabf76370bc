"""The self-check form's questions and layout: the one table of questions, ``engine.wording``.

The questions (wording, kinds, choices, units, 万元 scale) and their topics live in
``engine/wording.py``, shared with the console, the guided interview, the CLI and the
"missing" lines; the form lays out ``BASIC`` as part 1 and ``TOPICS`` as the folded part 2.
To ask about a new Profile field, add its ``Question`` there; ``tests/test_form_model.py``
fails when a Profile field has no question.
"""

from __future__ import annotations

from engine.wording import (
    BASIC,
    ENTERPRISE,
    INDUSTRIES,
    LISTS,
    NOT_ASKED,
    NOT_ASKED_IN_LISTS,
    OTHER,
    TOPICS,
    YES_NO,
    InputKind,
    ListSection,
    Question,
    Topic,
)

__all__ = [
    "BASIC", "ENTERPRISE", "INDUSTRIES", "LISTS", "NOT_ASKED", "NOT_ASKED_IN_LISTS", "OTHER", "TOPICS", "YES_NO",
    "InputKind", "ListSection", "Question", "Topic",
]
