"""The self-check form's layout: the one table of questions (``engine.wording``) in topics.

The questions themselves (wording, kinds, choices, units, 万元 scale) live in
``engine/wording.py``, shared with the console, the guided interview, the CLI and the
"missing" lines. Here they are only arranged: the basic facts of part 1, then the folded
topics of part 2 ("which of these apply to you"). To ask about a new Profile field, add its
``Question`` there and place it in a topic here; ``tests/test_form_model.py`` fails when a
Profile field has no question.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.wording import (
    BASIC,
    CREDIT_FACTS,
    DEREGISTRATION_FACTS,
    DESIGNATIONS,
    ENTERPRISE,
    EVENTS,
    EXHIBITIONS,
    GROWTH_FACTS,
    HIRES,
    HIRING_FACTS,
    INDUSTRIES,
    LAND_FACTS,
    LOANS,
    NOT_ASKED,
    OTHER,
    PROCUREMENT_CONTRACTS,
    PROCUREMENT_PROJECTS,
    PROJECTS,
    RECEIVABLES,
    VIOLATIONS,
    YES_NO,
    InputKind,
    ListSection,
    Question,
)

__all__ = [
    "BASIC", "ENTERPRISE", "INDUSTRIES", "LISTS", "NOT_ASKED", "OTHER", "TOPICS", "YES_NO", "InputKind",
    "ListSection", "Question", "Topic",
]


@dataclass(frozen=True)
class Topic:
    """A folded group of part 2 ("which of these apply to you"): closed unless answered."""

    key: str  # the HTML id is topic-<key>
    title: str
    summary: str  # what is inside, shown on the closed line
    questions: tuple[Question, ...] = ()  # enterprise facts
    lists: tuple[ListSection, ...] = ()


TOPICS: tuple[Topic, ...] = (
    Topic("hiring", "招聘用工", "新招员工、招聘用工联合体", HIRING_FACTS, (HIRES,)),
    Topic("loans", "贷款", "技改、设备更新、流动资金等银行贷款", lists=(LOANS,)),
    Topic("procurement", "政府采购", "已签的采购合同、打算投标的采购项目",
          lists=(PROCUREMENT_CONTRACTS, PROCUREMENT_PROJECTS)),
    Topic("exhibitions", "参展参会", "闽货华夏行、福品销全球、境外展会等", lists=(EXHIBITIONS,)),
    Topic("recognition", "认定与项目", "专精特新等认定、省级技术创新项目", lists=(DESIGNATIONS, PROJECTS)),
    Topic("events", "活动", "举办或参加“手拉手”供需对接活动", lists=(EVENTS,)),
    Topic("growth", "个转企、规上、外贸", "是否个转企、规上企业、有进出口业务", GROWTH_FACTS),
    Topic("land", "用地用海", "利用存量土地、入驻围填海域", LAND_FACTS),
    Topic("receivables", "账款拖欠", "机关、事业单位、大企业拖欠的账款", lists=(RECEIVABLES,)),
    Topic("credit", "行政处罚与信用", "被查处的违法行为、失信记录", CREDIT_FACTS, (VIOLATIONS,)),
    Topic("deregistration", "企业注销", "打算注销企业时填写", DEREGISTRATION_FACTS),
)

LISTS: tuple[ListSection, ...] = tuple(s for t in TOPICS for s in t.lists)
assert {q.path for t in TOPICS for q in t.questions} | {q.path for q in BASIC} == {q.path for q in ENTERPRISE}
