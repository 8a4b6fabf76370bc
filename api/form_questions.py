"""The self-check form as data: which questions it asks, in what order, with what choices.

To ask about a new Profile field, add one ``Question`` to ``BASIC`` (an enterprise fact)
or to the ``questions`` of a ``ListSection`` (a per-person / per-item fact); to ask about
a new list, add a ``ListSection``. The template and the parser are driven by these lists;
``tests/test_form_model.py`` fails when a Profile field has no question here.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class ListSection:
    name: str  # the Profile list, e.g. "hires"
    title: str
    prompt: str  # "which of these apply to you"
    noun: str  # one item, for row headings and questions: 第1名{noun}
    questions: tuple[Question, ...]
    hint: str = ""


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

LISTS: tuple[ListSection, ...] = (
    ListSection("hires", "新招用人员", "近期招用了新员工吗？", "名新招用人员", (
        Question("birth_date", "出生日期", "date", "出生日期是哪天？"),
        Question("hired_on", "入职日期", "date", "哪天招用（入职）的？"),
        Question("registered_unemployed", "招用时是登记失业人员", "bool", "招用时是否为登记失业人员？",
                 choices=YES_NO),
        Question("contract_months", "劳动合同期限", "int", "劳动合同签了几个月？", unit="个月"),
        Question("insurance_months.unemployment", "失业保险已缴", "int", "失业保险已缴几个月？", unit="个月"),
        Question("insurance_months.work_injury", "工伤保险已缴", "int", "工伤保险已缴几个月？", unit="个月"),
        Question("insurance_months.pension", "职工养老保险已缴", "int", "职工养老保险已缴几个月？", unit="个月"),
        Question("social_insurance_months", "社会保险已缴（合计）", "int", "为该员工缴纳社会保险几个月？",
                 unit="个月"),
    ), hint="每人一行"),
    ListSection("loans", "贷款", "有银行贷款吗？", "笔贷款", (
        Question("kind", "贷款类型", "choice", "是什么类型的贷款？", choices=(
            ("key_tech_upgrade", "省重点技改项目固定资产贷款"), ("equipment_renewal", "设备更新贷款"),
            ("working_capital", "流动资金贷款"), ("other", "其他贷款"))),
        Question("principal_yuan", "贷款本金", "money", "贷款本金是多少？", unit="万元", scale=10_000),
        Question("term_months", "贷款期限", "int", "贷款期限几个月？", unit="个月"),
    ), hint="每笔一行"),
    ListSection("procurement_contracts", "政府采购合同", "签有政府采购合同吗？", "份政府采购合同", (
        Question("amount_yuan", "合同金额", "money", "合同金额是多少？", unit="万元", scale=10_000),
        Question("prepayment_arranged", "合同有预付款安排", "bool", "合同是否有预付款安排？", choices=YES_NO),
    ), hint="每份一行"),
    ListSection("exhibitions", "参展参会", "参加过展会或“闽货华夏行”等活动吗？", "次参展参会", (
        Question("program", "活动名称", "text", "参加的是什么活动？"),
        Question("fees_yuan", "参展参会费用", "money", "参展参会费用是多少？", unit="元"),
    ), hint="每次一行"),
    ListSection("designations", "已获认定", "获得过专精特新等认定吗？", "项认定", (
        Question("kind", "认定类型", "choice", "获得的是哪类认定？", choices=(
            ("little_giant", "国家级专精特新“小巨人”企业"), ("specialized_sme", "省级专精特新中小企业"),
            ("innovative_sme", "创新型中小企业"))),
        Question("recognized_on", "认定日期", "date", "哪天获得认定的？"),
    ), hint="每项一行"),
)

NOT_ASKED = {"credit_code": "统一社会信用代码不影响资格判断", "name": "名称不影响资格判断"}
