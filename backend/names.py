"""Every display name in one table: API outputs, pages, PDFs and exports read them here, so one thing has one
Chinese name everywhere (a label written in two files gets two spellings).

Codes stay English in the database and the API; the names below are what people read.
"""

# Civil Code art. 278 matters, in the order the article lists them (the rules are in votes/tally.py).
MATTER_NAMES = {
    "rules_of_procedure": "制定和修改议事规则",
    "management_statute": "制定和修改管理规约",
    "committee_election": "选举或更换业主委员会",
    "property_manager": "选聘和解聘物业服务企业或其他管理人",
    "fund_use": "使用维修资金",
    "fund_raising": "筹集维修资金",
    "rebuild": "改建、重建建筑物及其附属设施",
    "common_use_change": "改变共有部分用途或者利用共有部分从事经营活动",
    "other_major": "其他重大事项",
    "consultation": "意见征询",
}

# Built-in option codes; any other code is its own label unless the vote gives one.
OPTION_LABELS = {
    "agree": "同意",
    "disagree": "反对",
    "abstain": "弃权",
    "professional": "专业物业公司",
    "quasi": "社区准物业",
    "self_managed": "业主自治",
}

VOTE_STATUS_NAMES = {
    "draft": "草稿",
    "scheduled": "未开始",
    "open": "投票中",
    "closed": "已结束",
    "announced": "已公布结果",
}

CHANNEL_NAMES = {"online": "线上", "paper": "纸质", "proxy": "委托"}

# Property management (DOMAIN.md §1, §7): the model a compound has, who holds its property rights.
MANAGEMENT_MODEL_NAMES = {
    "professional": "专业物业公司",
    "quasi": "社区准物业",
    "self_managed": "业主自治",
    "none": "尚未选择",
}
RIGHTS_HOLDER_NAMES = {
    "work_unit": "原产权单位",
    "enterprise": "企业",
    "enterprise_restructured": "改制企业",
    "enterprise_bankrupt": "破产企业",
    "village_collective": "村集体",
    "reformed_public_housing": "房改房",
    "commercial": "商品房",
    "unknown": "不详",
}
UNMANAGED = "失管"
FEE_STATUS_NAMES = {"paid": "已缴清", "part_paid": "部分缴纳", "unpaid": "未缴"}  # one unit, one month of fees


def fee_status_name(status):
    return FEE_STATUS_NAMES.get(status, status)


def period_name(period):
    """ "2026-11" → "2026年11月": a month of fees as pages, receipts and exports print it."""
    return f"{int(period[:4])}年{int(period[5:])}月" if period else ""


# Service rating (DOMAIN.md §7): the aspects the satisfaction_after_works and provider_rating surveys score 1–5,
# keyed as the templates' questions are, in the order reports print them.
RATING_ASPECT_NAMES = {
    "cleaning": "保洁",
    "security": "安保",
    "repairs": "维修",
    "green": "绿化",
    "parking": "停车",
    "attitude": "服务态度",
}

# Thresholds as the law words them, keyed by the rule codes the tally reports ("2/3", "3/4", ">1/2").
RULE_NAMES = {"2/3": "三分之二以上", "3/4": "四分之三以上", ">1/2": "过半数"}

WHOLE_COMPOUND = "全体业主"


def matter_name(code):
    return MATTER_NAMES.get(code, code)


def option_label(code):
    return OPTION_LABELS.get(code, code)


def option_choice(option):
    """An option as given when a vote is created — a code, a built-in's Chinese name, or ``{"code", "label"}`` —
    as ``{"code", "label"}``. "弃权" typed by hand is the built-in ``abstain`` (which never wins), not a new option."""
    if isinstance(option, dict):
        return {"code": option["code"], "label": option.get("label") or option_label(option["code"])}
    code = next((c for c, label in OPTION_LABELS.items() if label == option), option)
    return {"code": code, "label": option_label(code)}


def status_name(status):
    return VOTE_STATUS_NAMES.get(status, status)


def management_model_name(code):
    return MANAGEMENT_MODEL_NAMES.get(code, code)


def rights_holder_name(code):
    return RIGHTS_HOLDER_NAMES.get(code, code)


def rating_aspect_name(code):
    return RATING_ASPECT_NAMES.get(code, code)


def channel_name(channel):
    return CHANNEL_NAMES.get(channel, channel)


def rule_name(code):
    return RULE_NAMES.get(code, code)


def building_label(building):
    return f"{building}号楼"


def entrance_label(entrance):
    return f"{entrance}单元"


def unit_label(building, entrance, room):
    """ "1号楼2单元301室": how a flat is named on every page, letter, notice and export."""
    return f"{building_label(building)}{entrance_label(entrance)}{room}室"


def scope_text(building=None, entrance=None):
    """Who takes part: "全体业主", "3号楼" or "3号楼2单元"."""
    if not building:
        return WHOLE_COMPOUND
    return building_label(building) + (entrance_label(entrance) if entrance else "")


# surveys
QUESTION_TYPE_NAMES = {
    "single": "单选",
    "multiple": "多选",
    "ranking": "排序",
    "scale": "打分（1至5分）",
    "text": "简答",
}
AUDIENCE_NAMES = {"household": "每户一份", "resident": "每人一份"}
SURVEY_STATUS_NAMES = {"draft": "草稿", "scheduled": "未开始", "open": "进行中", "closed": "已结束"}
OTHER_LABEL = "其他"
WHOLE_COMPOUND_SURVEY = "全小区"  # a survey asks every household, tenants included, not only the owners


def question_type_name(code):
    return QUESTION_TYPE_NAMES.get(code, code)


def audience_name(code):
    return AUDIENCE_NAMES.get(code, code)


def survey_status_name(code):
    return SURVEY_STATUS_NAMES.get(code, code)


def survey_scope_text(building=None, entrance=None):
    """Who is asked: "全小区", "3号楼" or "3号楼2单元"."""
    return scope_text(building, entrance) if building else WHOLE_COMPOUND_SURVEY


# funds/campaigns
CAMPAIGN_STATUS_NAMES = {"draft": "草稿", "open": "认捐中"}
SHARING_RULE_NAMES = {"area": "按面积分摊", "equal": "按户均摊", "floor_area": "按楼层系数×面积分摊"}
SUBSIDY_SOURCE_NAMES = {"city": "市级补助", "district": "区级补助", "provident_fund": "住房公积金", "other": "其他来源"}
PAYMENT_METHOD_NAMES = {"cash": "现金", "bank": "银行转账", "wechat": "微信", "alipay": "支付宝"}
SHARE_STATUS_NAMES = {"none": "未认捐", "pledged": "已认捐未缴", "part_paid": "部分缴纳", "paid": "已缴清"}
PAYMENT_KIND_NAMES = {"payment": "缴款", "reversal": "冲正"}
PLEDGE_CHANNEL_NAMES = {"online": "线上认捐", "paper": "纸质认捐", "payment": "缴款时登记"}


def _namer(table):
    return lambda code: table.get(code, code)


campaign_status_name = _namer(CAMPAIGN_STATUS_NAMES)
sharing_rule_name = _namer(SHARING_RULE_NAMES)
subsidy_source_name = _namer(SUBSIDY_SOURCE_NAMES)
payment_method_name = _namer(PAYMENT_METHOD_NAMES)
share_status_name = _namer(SHARE_STATUS_NAMES)
payment_kind_name = _namer(PAYMENT_KIND_NAMES)
pledge_channel_name = _namer(PLEDGE_CHANNEL_NAMES)


# funds/ledger
FUND_ENTRY_KIND_NAMES = {"deposit": "缴存", "reversal": "冲正", "use": "使用"}
FUND_ACCOUNT_STATUS_NAMES = {"unpaid": "未缴", "part_paid": "部分缴存", "paid": "已缴足"}


def fund_entry_kind_name(kind):
    return FUND_ENTRY_KIND_NAMES.get(kind, kind)


def fund_account_status_name(status):
    return FUND_ACCOUNT_STATUS_NAMES.get(status, status)


# projects/ (DOMAIN.md §5, §8): renovation projects, their pipeline, funding and departments
# The three tiers of the national guideline, and the content codes of each (the renovation_needs survey's own
# codes and labels, so a household's answer and a project's item name one thing the same way).
RENOVATION_TIER_NAMES = {"basic": "基础类", "improvement": "完善类", "enhancement": "提升类"}
RENOVATION_CONTENT_NAMES = {
    "basic": {
        "water": "供水、排水管网",
        "power": "供电线路",
        "weak_current": "弱电、通信线路",
        "roads": "小区道路",
        "gas": "燃气管道",
        "heating": "供暖",
        "fire_safety": "消防设施",
        "security": "安防（门禁、监控）",
        "waste_sorting": "垃圾分类设施",
        "roof_facade_stairs": "屋面、外墙、楼梯维修",
    },
    "improvement": {
        "illegal_structures": "拆除违法建设",
        "greening": "绿化",
        "lighting": "照明",
        "barrier_free": "适老化和无障碍设施",
        "parking": "停车设施",
        "charging": "电动车充电设施",
        "parcel_lockers": "智能快递柜",
        "fitness": "健身设施",
        "management_rooms": "物业用房",
        "energy_saving": "建筑节能改造",
        "elevator": "加装电梯",
    },
    "enhancement": {
        "service_centre": "社区综合服务站",
        "clinic": "卫生服务站",
        "nursery": "托育",
        "elderly_care": "养老服务",
        "canteen": "社区食堂",
        "market": "便民市场",
        "delivery_station": "快递服务站",
        "smart_sensing": "智慧感知设施",
    },
}
PROJECT_STEP_NAMES = {
    "needs_surveyed": "需求调查",
    "plan_voted": "方案表决通过",
    "cofunding_pledged": "居民出资认捐",
    "applied": "申报",
    "in_plan": "纳入改造计划",
    "started": "开工",
    "completed": "完工",
    "accepted": "竣工验收",
}
PROJECT_STEP_STATE_NAMES = {"done": "已完成", "current": "进行中", "pending": "未开始"}  # as residents follow it
PLAN_LEVEL_NAMES = {"central_provincial": "中省计划", "city": "市级计划"}
FUNDING_SOURCE_NAMES = {
    "central_provincial": "中省补助",
    "city_fiscal": "财政专项补助",
    "ndrc_budget": "发改预算内投资",
    "residents": "居民出资",
    "utilities": "管线单位",
    "social_capital": "社会资本",
}
DEPARTMENT_NAMES = {
    "housing": "住建",
    "ndrc": "发改",
    "finance": "财政",
    "planning": "资源规划",
    "urban_management": "城管执法",
    "water": "水务",
    "power": "电力",
}
EVIDENCE_KIND_NAMES = {
    "survey": "需求调查问卷",
    "vote_item": "业主表决事项",
    "campaign": "居民出资项目",
    "document": "文件",
}
# Construction-problem reports residents file while the works go on (issue 13 §6).
PROBLEM_CATEGORY_NAMES = {"noise": "噪音", "safety": "安全", "access": "出行", "quality": "质量", "other": "其他"}
PROBLEM_STATUS_NAMES = {"open": "待答复", "answered": "已答复", "closed": "已关闭"}


def renovation_content_name(code):
    for contents in RENOVATION_CONTENT_NAMES.values():
        if code in contents:
            return contents[code]
    return code


renovation_tier_name = _namer(RENOVATION_TIER_NAMES)
project_step_name = _namer(PROJECT_STEP_NAMES)
plan_level_name = _namer(PLAN_LEVEL_NAMES)
project_step_state_name = _namer(PROJECT_STEP_STATE_NAMES)
funding_source_name = _namer(FUNDING_SOURCE_NAMES)
department_name = _namer(DEPARTMENT_NAMES)
evidence_kind_name = _namer(EVIDENCE_KIND_NAMES)

# projects/figures.py: the city report's opening table (DOMAIN.md §8), grouped as the report groups it
CITY_FIGURE_GROUP_NAMES = {
    "basic": "基本情况",
    "elevator": "需加装电梯",
    "plan": "中省计划及进度",
    "funds": "资金到位情况",
}
CITY_FIGURE_NAMES = {
    "eligible_compounds": "符合改造政策的小区",
    "eligible_buildings": "涉及楼栋",
    "eligible_households": "涉及居民户数",
    "eligible_area": "总建筑面积",
    "planned_investment": "计划总投资",
    "elevator_compounds": "需加装电梯的小区",
    "elevator_buildings": "需加装电梯涉及楼栋",
    "elevator_households": "需加装电梯涉及户数",
    "in_plan": "列入中省计划的小区",
    "started": "已开工",
    "start_rate": "开工率",
    "completed": "已完工",
    "completion_rate": "完工率",
    "plan_investment": "列入计划项目计划总投资",
    "funds_planned": "计划筹措资金",
    "funds_arrived": "已到位资金",
    "arrived_share": "到位比例",
    "funds_gap": "资金缺口",
}
CITY_FIGURE_UNIT_NAMES = {
    "count": "个",
    "buildings": "栋",
    "households": "户",
    "area": "平方米",
    "fen": "元",
    "ratio": "比例",
}
city_figure_name = _namer(CITY_FIGURE_NAMES)
city_figure_group_name = _namer(CITY_FIGURE_GROUP_NAMES)


ORG_LEVEL_NAMES = {"city": "市", "district": "区县", "street": "街道", "community": "社区", "compound": "小区"}


def org_level_name(code):
    return ORG_LEVEL_NAMES.get(code, code)


problem_category_name = _namer(PROBLEM_CATEGORY_NAMES)
problem_status_name = _namer(PROBLEM_STATUS_NAMES)

ARRIVAL_KIND_NAMES = {"arrival": "到位", "reversal": "冲正"}
arrival_kind_name = _namer(ARRIVAL_KIND_NAMES)
