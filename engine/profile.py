"""The enterprise profile: the one model every channel fills (contract.md, "Profile").

An absent field means "unknown"; an empty list means "known: none". Money is
``Decimal`` in yuan with at most two decimals, never float. Every per-person,
per-loan, per-contract... fact is a list item, because policies count per item.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

Money = Annotated[Decimal, Field(ge=0, max_digits=17, decimal_places=2)]
Months = Annotated[int, Field(ge=0, le=1200)]
District = Literal["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]
Zone = Literal["自贸区", "火炬高新区"]
SizeClass = Literal["large", "medium", "small", "micro"]


def _credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except InvalidChecksum as exc:
        raise ValueError("统一社会信用代码校验位不正确 / check character is wrong") from exc
    except StdnumError as exc:
        raise ValueError("统一社会信用代码应为18位且格式正确 / must be a valid 18-character code") from exc


CreditCode = Annotated[str, AfterValidator(_credit_code)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InsuranceMonths(Model):
    """Months of contributions paid for this person, per insurance."""

    unemployment: Months | None = Field(None, description="失业保险缴费月数")
    work_injury: Months | None = Field(None, description="工伤保险缴费月数")
    pension: Months | None = Field(None, description="职工养老保险缴费月数")


class Hire(Model):
    birth_date: dt.date | None = Field(None, description="出生日期")
    hired_on: dt.date | None = Field(None, description="招用（入职）日期")
    registered_unemployed: bool | None = Field(None, description="招用时是否为登记失业人员")
    contract_months: Months | None = Field(None, description="劳动合同期限（月）")
    insurance_months: InsuranceMonths | None = Field(None, description="分险种缴费月数")
    social_insurance_months: Months | None = Field(None, description="为该员工缴纳社会保险的月数")

    @field_validator("hired_on")
    @classmethod
    def _hired_after_birth(cls, hired_on: dt.date | None, info: ValidationInfo) -> dt.date | None:
        birth = info.data.get("birth_date")
        if birth and hired_on and hired_on <= birth:
            raise ValueError("招用日期必须晚于出生日期 / hired_on must be after birth_date")
        return hired_on


LoanKind = Literal[
    "key_tech_upgrade",  # 省重点技改项目固定资产贷款
    "equipment_renewal",  # 设备更新贷款
    "working_capital",  # 流动资金贷款
    "other",
]


class Loan(Model):
    kind: LoanKind | None = Field(None, description="贷款类型")
    principal_yuan: Money | None = Field(None, description="贷款本金（元）")
    term_months: Months | None = Field(None, description="贷款期限（月）")


class ProcurementContract(Model):
    amount_yuan: Money | None = Field(None, description="政府采购合同金额（元）")
    prepayment_arranged: bool | None = Field(None, description="合同是否有预付安排")


class Exhibition(Model):
    program: str | None = Field(None, max_length=100, description="活动名称，如 闽货华夏行")
    fees_yuan: Money | None = Field(None, description="参展参会费用（元）")


DesignationKind = Literal[
    "little_giant",  # 专精特新“小巨人”企业（国家级）
    "specialized_sme",  # 省级专精特新中小企业
    "innovative_sme",  # 创新型中小企业
]


ProjectProgram = Literal[
    "province_tech_innovation",  # 省技术创新重点攻关及产业化项目（M5）
    "other",
]


class Project(Model):
    """One project of the enterprise, e.g. an application to a provincial programme."""

    program: ProjectProgram | None = Field(
        None, description="项目类别：province_tech_innovation 省技术创新重点攻关及产业化项目"
    )
    selected: bool | None = Field(None, description="是否已入选（列入省级项目名单）")


EventKind = Literal[
    "supply_demand_matchmaking",  # “手拉手”供需对接活动（M14）
    "other",
]


class Event(Model):
    """One event (matchmaking, fair, ...) the enterprise organised or attended."""

    kind: EventKind | None = Field(None, description="活动类型：supply_demand_matchmaking “手拉手”供需对接活动")
    organizer: bool | None = Field(None, description="本企业是否为活动举办单位")
    held_on: dt.date | None = Field(None, description="活动举办日期")


class Designation(Model):
    kind: DesignationKind | None = Field(None, description="认定类型")
    recognized_on: dt.date | None = Field(None, description="认定日期")


class Profile(Model):
    """An enterprise as far as it is known. Every field is optional."""

    credit_code: CreditCode | None = Field(None, description="统一社会信用代码（18位）")
    name: str | None = Field(None, max_length=200, description="名称")
    entity_type: Literal["enterprise", "individual_business"] | None = Field(
        None, description="enterprise 企业 / individual_business 个体工商户"
    )
    industry_code: str | None = Field(
        None, pattern=r"^[A-T](\d{2}(\d{1,2})?)?$", description="GB/T 4754-2017 行业代码，如 C3911"
    )
    employees: Annotated[int, Field(ge=0, le=10_000_000)] | None = Field(None, description="从业人员（人）")
    revenue_yuan: Money | None = Field(None, description="营业收入（元，上年度）")
    total_assets_yuan: Money | None = Field(None, description="资产总额（元）")
    founded_on: dt.date | None = Field(None, description="成立日期")
    district: District | None = Field(None, description="所在区")
    zone: Zone | None = Field(None, description="所在功能区：自贸区 或 火炬高新区")
    declared_size_class: SizeClass | None = Field(
        None, description="申报的划型结果：仅当行业不适用《中小企业划型标准规定》（如金融业）时使用"
    )
    # --- enterprise facts for M1–M25 (issue 3, part A) ---
    foreign_trade: bool | None = Field(None, description="是否为外贸企业（有进出口经营业务）")
    converted_from_individual_business: bool | None = Field(
        None, description="是否由个体工商户转型（“个转企”）而来"
    )
    above_designated_size: bool | None = Field(
        None, description="是否已纳入规模以上企业统计（“规上企业”）"
    )
    dishonesty_record: bool | None = Field(
        None, description="是否有需信用修复的失信记录（如经营异常名录、严重违法失信名单、行政处罚公示）"
    )
    # --- end of M1–M25 facts ---

    # (spacer: keeps the two blocks apart for clean merges)

    # --- enterprise facts for M26–M50 (issue 3, part B) ---
    # --- end of M26–M50 facts ---

    hires: list[Hire] | None = Field(None, description="新招用人员，每人一项")
    loans: list[Loan] | None = Field(None, description="贷款，每笔一项")
    procurement_contracts: list[ProcurementContract] | None = Field(None, description="政府采购合同，每份一项")
    exhibitions: list[Exhibition] | None = Field(None, description="参展参会，每次一项")
    designations: list[Designation] | None = Field(None, description="已获认定，每项一条")
    projects: list[Project] | None = Field(None, description="申报或入选的项目，每个项目一项")
    events: list[Event] | None = Field(None, description="举办或参加的活动，每场一项")
