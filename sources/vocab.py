"""Words departments use: Chinese values of coded Profile fields, and the column headers of their exports.

``VALUES`` translates a cell of a coded field (``district``, ``designations.kind``…) when the mapping
gives no table of its own (a mapping's ``values`` are tried first). ``HEADERS`` lists, per Profile
field, the column names ``huiqi mapping init`` recognises; the list fields' items are matched only
in a file that is clearly about that list (its other headers say so).
"""

from __future__ import annotations

import unicodedata

DISTRICTS = ("思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区")

VALUES: dict[str, dict[str, str]] = {
    "district": {
        **{d: d for d in DISTRICTS}, **{d[:-1]: d for d in DISTRICTS}, **{f"厦门市{d}": d for d in DISTRICTS},
    },
    "zone": {
        "自贸区": "自贸区", "自贸片区": "自贸区", "厦门自贸片区": "自贸区",
        "中国(福建)自由贸易试验区厦门片区": "自贸区", "火炬高新区": "火炬高新区", "火炬": "火炬高新区",
        "厦门火炬高技术产业开发区": "火炬高新区", "火炬高技术产业开发区": "火炬高新区",
    },
    "entity_type": {"企业": "enterprise", "个体工商户": "individual_business", "个体户": "individual_business",
                    "enterprise": "enterprise", "individual_business": "individual_business"},
    "declared_size_class": {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro",
                            "大型企业": "large", "中型企业": "medium", "小型企业": "small", "微型企业": "micro"},
    "designations.kind": {
        "专精特新“小巨人”企业": "little_giant", '专精特新"小巨人"企业': "little_giant", "小巨人": "little_giant",
        "国家级专精特新“小巨人”企业": "little_giant", "专精特新中小企业": "specialized_sme",
        "省级专精特新中小企业": "specialized_sme", "创新型中小企业": "innovative_sme",
    },
    "loans.kind": {"省重点技改项目固定资产贷款": "key_tech_upgrade", "重点技改项目贷款": "key_tech_upgrade",
                   "设备更新贷款": "equipment_renewal", "流动资金贷款": "working_capital", "其他": "other"},
    "procurement_projects.category": {"工程": "works", "货物": "goods", "服务": "services"},
    "receivables.debtor_kind": {"机关": "government_agency", "事业单位": "public_institution",
                                "大型企业": "large_enterprise", "其他": "other"},
    "violations.harm": {"没有": "none", "无": "none", "轻微": "minor", "较重": "more"},
    "projects.program": {"省技术创新重点攻关及产业化项目": "province_tech_innovation", "其他": "other"},
    "events.kind": {"“手拉手”供需对接活动": "supply_demand_matchmaking",
                    "手拉手供需对接活动": "supply_demand_matchmaking", "其他": "other"},
}


def folded(word: str) -> str:
    """A header or value as compared: NFKC (full-width brackets and digits), no spaces."""
    return "".join(unicodedata.normalize("NFKC", word).split())


# field path -> (header names, unit of money when the header says 万元)
HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "单位统一社会信用代码"),
    "name": ("企业名称", "单位名称", "名称", "市场主体名称", "企业(单位)名称"),
    "entity_type": ("主体类型", "市场主体类型", "企业类型"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业门类代码", "所属行业代码"),
    "employees": ("从业人数", "从业人员", "从业人员数", "从业人员期末人数", "职工人数", "年末从业人数"),
    "revenue_yuan": ("营业收入", "营业收入(万元)", "营业收入(元)", "主营业务收入", "营业收入(上年度)"),
    "total_assets_yuan": ("资产总额", "资产总额(万元)", "资产总额(元)", "资产总计"),
    "founded_on": ("成立日期", "注册日期", "成立时间", "设立日期"),
    "district": ("所属区", "所在区", "行政区划", "辖区", "所属辖区", "区"),
    "zone": ("功能区", "所在功能区", "所属园区"),
    "declared_size_class": ("企业规模", "申报规模", "规模类型"),
    "foreign_trade": ("是否外贸企业", "外贸企业"),
    "above_designated_size": ("是否规上企业", "规上企业"),
    "dishonesty_record": ("是否有失信记录", "失信记录"),
    "hires.birth_date": ("出生日期", "出生年月日"),
    "hires.hired_on": ("入职日期", "招用日期", "参保日期", "用工日期"),
    "hires.registered_unemployed": ("是否登记失业人员", "登记失业人员", "是否登记失业"),
    "hires.contract_months": ("劳动合同期限(月)", "合同期限(月)", "劳动合同期限"),
    "hires.insurance_months.unemployment": ("失业保险缴费月数", "失业保险月数"),
    "hires.insurance_months.work_injury": ("工伤保险缴费月数", "工伤保险月数"),
    "hires.insurance_months.pension": ("养老保险缴费月数", "职工养老保险缴费月数", "养老保险月数"),
    "hires.social_insurance_months": ("社保缴费月数", "社会保险缴费月数"),
    "designations.kind": ("认定类型", "认定类别", "资质类型"),
    "designations.recognized_on": ("认定日期", "认定时间", "公布日期"),
    "loans.kind": ("贷款类型", "贷款种类"),
    "loans.principal_yuan": ("贷款金额", "贷款本金", "贷款金额(万元)", "贷款本金(万元)"),
    "loans.term_months": ("贷款期限(月)", "期限(月)"),
    "procurement_contracts.amount_yuan": ("合同金额", "合同金额(万元)", "采购合同金额", "中标金额"),
    "procurement_contracts.prepayment_arranged": ("是否预付", "是否约定预付款", "预付款安排"),
    "exhibitions.program": ("展会名称", "活动名称", "参展项目"),
    "exhibitions.fees_yuan": ("参展费用", "参展费用(元)", "参展费用(万元)", "展位费"),
}
# Headers that tell which list a file is about, beside its item headers.
LIST_HINTS: dict[str, tuple[str, ...]] = {
    "hires": ("姓名", "身份证号", "出生日期", "入职日期", "参保"),
    "designations": ("认定类型", "认定日期", "认定类别"),
    "loans": ("贷款", "放款"),
    "procurement_contracts": ("合同金额", "采购合同", "中标"),
    "exhibitions": ("展会", "参展"),
}
