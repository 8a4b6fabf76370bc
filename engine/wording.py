"""The one table of questions: how every face asks for a profile fact, in Chinese.

The self-check form (``api/form_questions.py`` lays these out in topics), the staff console,
the guided interview (``engine.questions``), the CLI and the "missing" lines of a result all
word a fact from here. To ask about a new Profile field, add one ``Question`` to ``BASIC``,
to a group of topic facts, or to a ``ListSection``; ``tests/test_form_model.py`` fails when a
Profile field has no question. ``actionable`` says whether an enterprise can act on a fact
(sign a longer contract, keep paying insurance): the near-miss answer (``engine.near_miss``)
suggests changing only those, and words every other failed condition as information.
``ListSection.add`` words adding one more item (招用、举办、参加、申报) where an enterprise can;
lists without it (loans, violations, arrears …) are never suggested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

InputKind = Literal["int", "money", "date", "bool", "choice", "text", "industry"]
OTHER = "__other__"  # the "other: enter the code" choice of the industry question


@dataclass(frozen=True)
class Question:
    path: str  # contract path inside the profile or inside one list item
    label: str
    kind: InputKind
    ask: str  # the question shown when this fact is missing
    unit: str = ""
    scale: int = 1  # a 万元 input is multiplied by 10,000 into *_yuan
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); "" is always 不清楚
    hint: str = ""
    suggestions: tuple[str, ...] = ()  # typical answers offered for a text input (a datalist)
    actionable: bool = False  # the enterprise can change it from now on (never a date already past)


@dataclass(frozen=True)
class ListSection:
    name: str  # the Profile list, e.g. "hires"
    title: str
    prompt: str  # "which of these apply to you"
    noun: str  # one item, for row headings and questions: 第1名{noun}
    questions: tuple[Question, ...]
    hint: str = ""
    add: str = ""  # how to word one more item ("再招用1名员工"); empty: never suggested
    # Profile fields of an item the form does not ask, kept when a profile already has them (a
    # registry record at the console, an old result link): hidden inputs, parsed like questions.
    carried: tuple[Question, ...] = ()

    @property
    def fields(self) -> tuple[Question, ...]:
        """Every item field the form reads back: the questions, then the carried fields."""
        return self.questions + self.carried

    @property
    def counter(self) -> str:
        """The measure word of one item (名, 笔, 份 …), the unit of "how many"."""
        return self.noun[:1]


YES_NO = (("true", "是"), ("false", "否"))

# GB/T 4754-2017 codes, as deep as the SME size standard needs (rules/derived/industry_group.yaml)
INDUSTRIES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("制造业及其他工业", (
        ("C13", "农副食品加工"), ("C14", "食品制造"), ("C15", "酒、饮料和精制茶制造"),
        ("C18", "纺织服装、服饰"), ("C19", "皮革、毛皮、羽毛制品和制鞋"), ("C21", "家具制造"),
        ("C24", "文教、工美、体育和娱乐用品制造"), ("C26", "化学原料和化学制品制造"),
        ("C27", "医药制造"), ("C29", "橡胶和塑料制品"), ("C33", "金属制品"), ("C34", "通用设备制造"),
        ("C35", "专用设备制造"), ("C36", "汽车制造"), ("C38", "电气机械和器材制造"),
        ("C39", "计算机、通信和其他电子设备制造"), ("C40", "仪器仪表制造"), ("C", "其他制造业"),
        ("B", "采矿业"), ("D", "电力、热力、燃气及水生产和供应"),
    )),
    ("建筑、批发零售", (("E", "建筑业"), ("F51", "批发业"), ("F52", "零售业"))),
    ("交通运输、仓储和邮政", (
        ("G54", "道路运输（货运、客运）"), ("G55", "水上运输"), ("G56", "航空运输"),
        ("G58", "多式联运和运输代理"), ("G591", "装卸搬运"), ("G592", "通用仓储"),
        ("G593", "低温仓储（冷库）"), ("G60", "邮政、快递"),
    )),
    ("住宿餐饮、信息技术", (
        ("H61", "住宿业（酒店、民宿）"), ("H62", "餐饮业"), ("I63", "电信、广播电视和卫星传输服务"),
        ("I64", "互联网和相关服务"), ("I65", "软件和信息技术服务"),
    )),
    ("房地产、商务和科技服务", (
        ("K7010", "房地产开发经营"), ("K7020", "物业管理"), ("K7030", "房地产中介服务"),
        ("L71", "租赁业"), ("L72", "商务服务（咨询、广告、人力资源等）"),
        ("M73", "研究和试验发展"), ("M74", "专业技术服务（检测、设计等）"), ("M75", "科技推广和应用服务"),
    )),
    ("其他行业", (
        ("A", "农、林、牧、渔业"), ("N", "水利、环境和公共设施管理"), ("O", "居民服务、修理和其他服务"),
        ("P", "教育"), ("Q", "卫生和社会工作"), ("R", "文化、体育和娱乐"), ("J", "金融业"),
    )),
)

BASIC: tuple[Question, ...] = (
    Question("entity_type", "主体类型", "choice", "贵单位是企业还是个体工商户？",
             choices=(("enterprise", "企业"), ("individual_business", "个体工商户"))),
    Question("industry_code", "所属行业", "industry", "贵单位属于哪个行业？",
             hint="不在列表中可选“其他”并填写国民经济行业分类代码，如 C3911"),
    Question("employees", "从业人员", "int", "从业人员有多少人？", unit="人", hint="含劳务派遣等全部从业人员"),
    Question("revenue_yuan", "上年度营业收入", "money", "上年度营业收入是多少？", unit="万元", scale=10_000),
    Question("total_assets_yuan", "资产总额", "money", "资产总额是多少？", unit="万元", scale=10_000),
    Question("founded_on", "成立日期", "date", "贵单位是哪天成立的？"),
    Question("district", "所在区", "choice", "贵单位在厦门哪个区？",
             choices=tuple((d, d) for d in ("思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"))),
    Question("zone", "所在功能区", "choice", "是否位于自贸区或火炬高新区？",
             choices=(("自贸区", "自贸区（厦门片区）"), ("火炬高新区", "火炬高新区")), hint="都不在可留空"),
    Question("declared_size_class", "企业规模（自报）", "choice", "贵单位的企业规模（大、中、小、微）是？",
             choices=(("medium", "中型"), ("small", "小型"), ("micro", "微型"), ("large", "大型")),
             hint="仅金融业等不适用划型标准的行业需要填写"),
)

HIRES = ListSection("hires", "新招用人员", "近期招用了新员工吗？", "名新招用人员", (
    Question("birth_date", "出生日期", "date", "出生日期是哪天？"),
    Question("hired_on", "入职日期", "date", "哪天招用（入职）的？"),
    Question("registered_unemployed", "招用时是登记失业人员", "bool", "招用时是否为登记失业人员？",
             choices=YES_NO),
    Question("contract_months", "劳动合同期限", "int", "劳动合同签了几个月？", unit="个月", actionable=True),
    Question("insurance_months.unemployment", "失业保险已缴", "int", "失业保险已缴几个月？", unit="个月",
             actionable=True),
    Question("insurance_months.work_injury", "工伤保险已缴", "int", "工伤保险已缴几个月？", unit="个月",
             actionable=True),
    Question("insurance_months.pension", "职工养老保险已缴", "int", "职工养老保险已缴几个月？", unit="个月",
             actionable=True),
), hint="每人一行", add="再招用1名员工", carried=(
    # One payment record, asked once per insurance: M31's months of social insurance are worked out
    # from the three above (rules/derived/item_fields.yaml). Kept, not asked, for profiles that give it.
    Question("social_insurance_months", "社会保险已缴（合计）", "int", "为该员工缴纳社会保险几个月？",
             unit="个月", actionable=True),
))

LOANS = ListSection("loans", "贷款", "有银行贷款吗？", "笔贷款", (
    Question("kind", "贷款类型", "choice", "是什么类型的贷款？", choices=(
        ("key_tech_upgrade", "省重点技改项目固定资产贷款"), ("equipment_renewal", "设备更新贷款"),
        ("working_capital", "流动资金贷款"), ("other", "其他贷款"))),
    Question("principal_yuan", "贷款本金", "money", "贷款本金是多少？", unit="万元", scale=10_000),
    Question("term_months", "贷款期限", "int", "贷款期限几个月？", unit="个月"),
), hint="每笔一行")

PROCUREMENT_CONTRACTS = ListSection("procurement_contracts", "政府采购合同", "签有政府采购合同吗？",
                                    "份政府采购合同", (
    Question("amount_yuan", "合同金额", "money", "合同金额是多少？", unit="万元", scale=10_000),
    Question("prepayment_arranged", "合同有预付款安排", "bool", "合同是否有预付款安排？", choices=YES_NO),
), hint="每份一行")

PROCUREMENT_PROJECTS = ListSection("procurement_projects", "拟参与的政府采购项目",
                                   "有打算投标的政府采购项目吗？", "个拟参与的政府采购项目", (
    Question("category", "采购类别", "choice", "是工程、货物还是服务项目？",
             choices=(("works", "工程"), ("goods", "货物"), ("services", "服务"))),
    Question("budget_yuan", "项目预算", "money", "采购项目预算是多少？", unit="万元", scale=10_000),
    Question("above_procurement_threshold", "达到政府采购限额标准", "bool",
             "项目是否达到政府采购限额标准以上？", choices=YES_NO, hint="见采购公告或采购文件"),
    Question("suitable_for_sme", "采购人认定适宜由中小微企业提供", "bool",
             "采购人是否认定该项目适宜由中小微企业提供？", choices=YES_NO, hint="见采购文件"),
), hint="每个项目一行")

EXHIBITIONS = ListSection("exhibitions", "参展参会", "参加过展会或“闽货华夏行”等活动吗？", "次参展参会", (
    Question("program", "活动名称", "text", "参加的是什么活动？",
             hint="可点选：闽货华夏行、福品销全球、优势产业主题重点境外展会",
             suggestions=("闽货华夏行", "福品销全球", "优势产业主题重点境外展会")),
    Question("fees_yuan", "参展参会费用", "money", "参展参会费用是多少？", unit="元"),
), hint="每次一行", add="再参加1次展会或活动")

DESIGNATIONS = ListSection("designations", "已获认定", "获得过专精特新等认定吗？", "项认定", (
    Question("kind", "认定类型", "choice", "获得的是哪类认定？", choices=(
        ("little_giant", "国家级专精特新“小巨人”企业"), ("specialized_sme", "省级专精特新中小企业"),
        ("innovative_sme", "创新型中小企业"))),
    Question("recognized_on", "认定日期", "date", "哪天获得认定的？"),
), hint="每项一行", add="申报并获得1项认定")

PROJECTS = ListSection("projects", "申报的项目", "申报或入选过省级项目吗？", "个项目", (
    Question("program", "项目类别", "choice", "是哪类项目？", choices=(
        ("province_tech_innovation", "省技术创新重点攻关及产业化项目"), ("other", "其他项目"))),
    Question("selected", "已入选（列入省级项目名单）", "bool", "项目是否已入选（列入省级项目名单）？",
             choices=YES_NO),
), hint="每个项目一行", add="申报1个项目")

EVENTS = ListSection("events", "举办或参加的活动", "举办或参加过“手拉手”供需对接等活动吗？", "场活动", (
    Question("kind", "活动类型", "choice", "是什么活动？", choices=(
        ("supply_demand_matchmaking", "“手拉手”供需对接活动"), ("other", "其他活动"))),
    Question("organizer", "本企业是举办单位", "bool", "贵单位是这场活动的举办单位吗？", choices=YES_NO),
    Question("held_on", "举办日期", "date", "活动是哪天举办的？"),
), hint="每场一行", add="再举办1场活动")

RECEIVABLES = ListSection("receivables", "被拖欠的账款", "有被拖欠的货款、工程款等账款吗？", "笔被拖欠账款", (
    Question("debtor_kind", "欠款方", "choice", "欠款方是哪类单位？", choices=(
        ("government_agency", "机关"), ("public_institution", "事业单位"), ("large_enterprise", "大型企业"),
        ("other", "其他（中小微企业、个人等）"))),
    Question("amount_yuan", "欠款金额", "money", "被拖欠多少钱？", unit="万元", scale=10_000),
    Question("overdue", "已过约定付款期限仍未支付", "bool", "是否已过约定付款期限仍未支付？", choices=YES_NO),
), hint="每笔一行")

VIOLATIONS = ListSection("violations", "被查处的违法行为", "有被执法部门查处的违法行为吗？", "起违法行为", (
    Question("first_violation", "初次违法", "bool", "是否初次违法？", choices=YES_NO),
    Question("minor", "违法行为轻微", "bool", "违法行为是否轻微？", choices=YES_NO),
    Question("harm", "危害后果", "choice", "造成的危害后果如何？", choices=(
        ("none", "没有危害后果"), ("minor", "危害后果轻微"), ("more", "危害后果较重"))),
    Question("corrected_in_time", "已及时改正", "bool", "是否已及时改正？", choices=YES_NO),
), hint="每起一行")




def _yes_no(path: str, label: str, ask: str, hint: str = "", actionable: bool = False) -> Question:
    return Question(path, label, "bool", ask, choices=YES_NO, hint=hint, actionable=actionable)


HIRING_FACTS = (
    _yes_no("recruitment_consortium_member", "参加了招聘用工联合体",
            "是否参加了龙头企业牵头组建的招聘用工联合体？", "由龙头企业牵头、上下游中小微企业协同组建",
            actionable=True),
    _yes_no("group_recruitment_outside", "随联合体组团出市或出省招工", "是否随联合体组团到市外或省外招工？",
            actionable=True),
)
GROWTH_FACTS = (
    _yes_no("converted_from_individual_business", "由个体工商户转型而来（个转企）",
            "贵企业是否由个体工商户转型（“个转企”）而来？"),
    _yes_no("above_designated_size", "已是规上企业", "是否已纳入规模以上企业统计（规上企业）？"),
    _yes_no("foreign_trade", "外贸企业（有进出口业务）", "是否有进出口经营业务（外贸企业）？"),
)
LAND_FACTS = (
    _yes_no("uses_existing_land", "按规定利用存量土地", "是否按照规定利用存量土地（如存量厂房、闲置用地）？",
            "如利用存量厂房、闲置用地"),
    Question("existing_land_since", "开始利用存量土地的日期", "date", "哪天开始利用存量土地的？",
             hint="5年过渡期自此日起算"),
    _yes_no("in_filed_reclaimed_sea", "项目入驻未批已备案围填海域", "项目是否入驻未批已备案的围填海域？"),
)
CREDIT_FACTS = (
    _yes_no("dishonesty_record", "有需信用修复的失信记录", "是否有需要信用修复的失信记录？",
            "如列入经营异常名录、严重违法失信名单，或有行政处罚公示"),
)
DEREGISTRATION_FACTS = (
    _yes_no("debts_settled", "债权债务已清偿完结", "是否没有债权债务，或已全部清偿完结？",
            "含清偿费用、职工工资、社会保险费用、法定补偿金、应缴税款（滞纳金、罚款）均已结清", actionable=True),
    _yes_no("simple_deregistration_barred", "存在不适用简易注销的情形", "是否存在不适用简易注销的情形？",
            "如列入经营异常名录或严重违法失信名单、股权被冻结或出质、有动产抵押、对外投资、被强制清算等"),
)


@dataclass(frozen=True)
class Topic:
    """Facts asked together: a folded group of the form's part 2 ("which of these apply to you"),
    and one screen of the guided interview (its lists' "how many" questions with its facts)."""

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
ENTERPRISE: tuple[Question, ...] = BASIC + tuple(q for t in TOPICS for q in t.questions)
"""Every enterprise-level question: part 1 (BASIC) and those inside the topics of part 2."""
BASIC_GROUP = "basic"  # the basic facts (part 1 of the form) are one screen too
GROUP_OF = {q.path: BASIC_GROUP for q in BASIC} | {
    key: topic.key for topic in TOPICS for key in [*(q.path for q in topic.questions), *(s.name for s in topic.lists)]
}

NOT_ASKED = {"credit_code": "统一社会信用代码不影响资格判断", "name": "名称不影响资格判断"}
# Item fields not asked, each with its reason; they ride along as ``ListSection.carried``.
NOT_ASKED_IN_LISTS = {
    ("hires", "social_insurance_months"): "与分险种缴费月数是同一份缴费记录，按险种问一次，合计月数由其推出",
}
SECTIONS = {s.name: s for s in LISTS}
ENTERPRISE_QUESTIONS = {q.path: q for q in ENTERPRISE}
ITEM_PATH = re.compile(r"^(\w+)\[(\d+)\]\.(.+)$")
WHOLE_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")


# (list, item field path) -> its question; the first of a section's fields prevails
_ITEM_QUESTIONS = {key: q for key, q in reversed([((s.name, q.path), q) for s in LISTS for q in s.fields])}


def item_question(list_name: str, path: str) -> Question | None:
    """The question of one field of a list item (``hires``, ``insurance_months.pension``)."""
    return _ITEM_QUESTIONS.get((list_name, path))


def lookup(path: str) -> tuple[Question | None, ListSection | None, int | None]:
    """(question, its list section, item index) of a contract path; the section alone for a list."""
    match = ITEM_PATH.match(path)
    if match:
        section = SECTIONS.get(match.group(1))
        if section is None:
            return None, None, None
        return item_question(section.name, match.group(3)), section, int(match.group(2))
    if path in SECTIONS:
        return None, SECTIONS[path], None
    return ENTERPRISE_QUESTIONS.get(path), None, None


def group_of(path: str) -> str:
    """The screen a fact is asked on: the basic facts, its topic, its list item, or itself."""
    if path in GROUP_OF:
        return GROUP_OF[path]
    match = ITEM_PATH.match(path)
    return f"{match.group(1)}[{match.group(2)}]" if match else path


def question_for(path: str, fallback_label: str | None = None) -> str:
    """A missing field path as a Chinese question, e.g. hires[0].insurance_months.pension ->
    '第 1 名新招用人员：职工养老保险已缴几个月？'. ``fallback_label`` words a field the table lacks."""
    if path in SECTIONS:
        return SECTIONS[path].prompt
    whole_item = WHOLE_ITEM.match(path)
    if whole_item and whole_item.group(1) in SECTIONS:
        return f"第 {int(whole_item.group(2)) + 1} {SECTIONS[whole_item.group(1)].noun}的情况如何？"
    if path in ("", "profile"):
        return "请补充企业的基本情况"
    question, section, index = lookup(path)
    if question is not None and section is not None and index is not None:
        return f"第 {index + 1} {section.noun}：{question.ask}"
    if question is not None:
        return question.ask
    return f"请补充：{fallback_label or path}"
