"""Submissions laid out and filled the way the sales guides in shared/seeds show them, and the
way sales teams really keep them (two-row headers, merged cells, team-only columns, one
联系方式 column for every kind of contact). Built in code with :func:`tests.factories.make_workbook`.

Each builder writes one workbook into ``folder`` and returns its path.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.factories import make_workbook, uscc

HENGXIN = uscc("91320594MA1W3XXR5")
XIHU = uscc("91330106MA2B0XXA1")
ZIJIN = uscc("91320102MA1N0XXB2")
YUNFAN = uscc("91310115MA1K4XXC3")

#: The instruction texts the guides print in their forms' remark columns (备注, 备注（填写说明）,
#: 填写说明), as the builders below write them: not remarks, never imported.
INSTRUCTIONS = frozenset({
    "企业客户需填写全称", "企业客户填写，便于核实资质", "如“零售业-连锁超市”", "根据合作阶段与重要性选择",
    "记录客户首次与企业建立联系的时间", "标识客户获取渠道", "客户对接人姓名", "如“市场部经理”", "(选填)",
    "保证邮箱格式正确", "如/企业账号", "与营业执照一致", "若无则不填", "需与营业执照一致", "按公司统一行业分类填写",
    "如“张总”“李经理”", "如“采购总监”“CEO”", "电话/邮箱，需验证有效性", "简明扼要说明客户主要诉求",
    "如“10-20万”“50万以上”", "格式:YYYY-MM-DD", "记录最新沟通结果",
})


def sales_tool_list(folder: Path, name: str = "华东销售部_客户信息收集表.xlsx") -> Path:
    """The sales tool's example form fields as a list: 字段类型 as merged group cells over the
    字段名称 row (基础信息 over 客户全称/所属行业/统一社会信用代码 …), 客户类型 as the tool's
    dropdown (潜在客户/成交客户/流失客户/战略客户) merged over both header rows, budgets as the
    tool writes them (10-20万, 50万以上)."""
    rows = [
        ["销售团队客户信息收集表（2026年11月）"] + [None] * 10,
        ["基础信息", None, None, "联系人信息", None, "需求信息", None, "互动信息", None, "客户类型", "负责销售"],
        ["客户全称", "所属行业", "统一社会信用代码", "决策人姓名", "职位", "核心需求描述", "预算范围",
         "最近跟进时间", "客户反馈", None, None],
        ["苏州恒信精密机械有限公司", "通用设备制造业", HENGXIN, "张总", "采购总监", "降本增效，缩短交付周期",
         "10-20万", dt.datetime(2026, 11, 20), "感兴趣", "成交客户", "王磊"],
        ["杭州西湖数据科技有限公司", "软件和信息技术服务业", XIHU, "李经理", "CEO", "拓展市场",
         "50万以上", "2026-11-02", "需进一步评估", "潜在客户", "王磊"],
        ["南京紫金电子有限公司", "计算机、通信和其他电子设备制造业", ZIJIN, "赵总", "总经理", "提升效率",
         "5万以内", "2026/10/15", "暂无需求", "流失客户", "陈静"],
        ["上海云帆物流有限公司", "道路运输业", YUNFAN, "孙经理", "采购经理", "独家代理，长期框架",
         "约30万", "2026年11月25日", "感兴趣", "战略客户", "陈静"],
    ]
    merged = ["A1:K1", "A2:C2", "D2:E2", "F2:G2", "H2:I2", "J2:J3", "K2:K3"]
    return make_workbook(folder, name, {"客户信息": rows}, {"客户信息": merged})


def sales_tool_form(folder: Path, name: str = "华南销售部_客户信息表.xlsx") -> Path:
    """The same field list used as a form: 字段类型 | 字段名称 | 填写内容 | 填写说明."""
    rows = [
        ["客户信息收集表", None, None, None],
        ["字段类型", "字段名称", "填写内容", "填写说明"],
        ["基础信息", "客户全称", "深圳前海云图科技有限公司", "需与营业执照一致"],
        ["基础信息", "所属行业", "软件和信息技术服务业", "按公司统一行业分类填写"],
        ["联系人信息", "决策人姓名", "周总", "如“张总”“李经理”"],
        ["联系人信息", "职位", "CEO", "如“采购总监”“CEO”"],
        ["联系人信息", "联系方式", "zhou@yuntu.cn", "电话/邮箱，需验证有效性"],
        ["需求信息", "核心需求描述", "数据中台建设", "简明扼要说明客户主要诉求"],
        ["需求信息", "预算范围", "10-20万", "如“10-20万”“50万以上”"],
        ["需求信息", "需求阶段", "明确需求", ""],
        ["互动信息", "最近跟进时间", "2026-11-18", "格式:YYYY-MM-DD"],
        ["互动信息", "客户反馈", "需进一步评估", "记录最新沟通结果"],
    ]
    return make_workbook(folder, name, {"客户": rows}, {"客户": ["A1:D1"]})


def maintenance_form(folder: Path, name: str = "大客户部_客户信息维护与收集表.xlsx",
                     company: str = "苏州恒信精密机械有限公司", code: str = HENGXIN,
                     remarks: dict[str, str] | None = None) -> Path:
    """The customer-maintenance form: sections, 项目 | 填写内容 | 备注（填写说明） rows with the
    template's check boxes ticked, and the 互动记录 / 需求与反馈 / 维护计划 tables filled.
    ``remarks``: label -> a remark the rep typed over the instruction in the remark column."""
    rows = [
        ["客户信息维护与收集表", None, None, None, None, None, None],
        ["一、客户基础信息", None, None, None, None, None, None],
        ["项目", "填写内容", "备注（填写说明）", None, None, None, None],
        ["客户名称", company, "企业客户需填写全称", None, None, None, None],
        ["统一社会信用代码", code, "企业客户填写，便于核实资质", None, None, None, None],
        ["所属行业", "制造业-通用设备制造业", "如“零售业-连锁超市”", None, None, None, None],
        ["客户类型", "□新客户 ☑老客户 □重点客户 □其他", "根据合作阶段与重要性选择", None, None, None, None],
        ["首次接触时间", "2023年3月5日", "记录客户首次与企业建立联系的时间", None, None, None, None],
        ["客户来源", "□展会 ☑转介绍 □线上推广 □其他", "标识客户获取渠道", None, None, None, None],
        ["二、联系人信息", None, None, None, None, None, None],
        ["项目", "填写内容", "备注（填写说明）", None, None, None, None],
        ["姓名", "张伟", "客户对接人姓名", None, None, None, None],
        ["职务", "采购总监", "如“市场部经理”", None, None, None, None],
        ["办公电话", "0512-66881234", "(选填)", None, None, None, None],
        ["手机号码", "139 0571 6789", "", None, None, None, None],
        ["电子邮箱", "zhangwei@hengxin.com", "保证邮箱格式正确", None, None, None, None],
        ["其他联系方式", "微信 zhangwei_hx", "如/企业账号", None, None, None, None],
        ["三、互动记录（可添加多条）", None, None, None, None, None, None],
        ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员（内部、客户）", "下一步行动", "完成状态"],
        ["2026年10月12日", "□电话 ☑拜访 □线上会议 □邮件", "Q3产品需求对接", "客户反馈产品交付周期需缩短，希望优化物流流程",
         "王磊、张伟", "3个工作日内反馈物流优化方案", "□待处理 ☑已完成"],
        ["2026年11月3日", "☑电话 □拜访 □线上会议 □邮件", "物流方案确认", "客户认可方案，待内部审批",
         "王磊、张伟", "跟进审批进度", "☑待处理 □已完成"],
        ["四、需求与反馈", None, None, None, None, None, None],
        ["需求描述", "优先级", "需求状态", "预计解决时间", "客户满意度评分（1-5分）", "客户建议/投诉内容", None],
        ["定制化数据分析功能", "☑高 □中 □低", "□待处理 ☑处理中 □已完成 □已关闭", "2026年12月31日", "4分",
         "希望增加数据导出格式选项，支持Excel与CSV格式", None],
        ["五、维护计划", None, None, None, None, None, None],
        ["维护负责人", "下次跟进时间", "跟进目标", "预计沟通方式", "特殊注意事项", None, None],
        ["王磊", "2026年12月10日", "确认需求方案反馈", "☑电话 □拜访 □线上会议", "客户近期出差，需提前1天预约时间",
         None, None],
        ["六、备注（其他需说明事项）", None, None, None, None, None, None],
        ["内容", "客户为行业头部企业，后续合作潜力大，需重点维护", None, None, None, None, None],
    ]
    for row in rows:
        if row[0] in (remarks or {}):
            row[2] = remarks[row[0]]
    return make_workbook(folder, name, {"客户信息": rows}, {"客户信息": ["A1:G1"]})


def field_list_form(folder: Path, name: str = "华北销售部_客户资料信息表.xlsx") -> Path:
    """The B-side customer field list: 客户编号 | 所属行业 | 信息类别 | 字段名称 | 填写内容 | 备注,
    the team's own customer number and the industry merged down, 信息类别 merged per group,
    filled with the guide's example values made real."""
    rows = [
        ["客户编号", "所属行业", "信息类别", "字段名称", "填写内容", "备注"],
        ["HB-0007", "制造业", "基本信息", "公司名称", "北京中科精工机械有限公司", "与营业执照一致"],
        [None, None, None, "统一社会信用代码", uscc("91110108MA01XXXD4"), None],
        [None, None, None, "成立年限", "8年", None],
        [None, None, None, "员工规模", "100-200人", None],
        [None, None, "联系方式", "对接人姓名", "刘经理", None],
        [None, None, None, "职位", "采购部经理", None],
        [None, None, None, "手机号码", "13856781234", "需客户确认"],
        [None, None, None, "办公电话", "010-56781234", None],
        [None, None, "业务需求", "核心采购品类", "工业原材料（钢材）", None],
        [None, None, None, "年采购量", "约100吨", None],
        [None, None, None, "期望合作模式", "长期框架协议+季度定价", None],
        [None, None, "合作历史", "首次合作时间", "2023年3月", "若无则不填"],
    ]
    merged = ["A2:A13", "B2:B13", "C2:C5", "C6:C9", "C10:C12"]
    return make_workbook(folder, name, {"B端客户资料": rows}, {"B端客户资料": merged})


def team_list(folder: Path, name: str = "西南销售部_客户清单.xlsx", wechat_header: str = "微信号") -> Path:
    """A team's own list: 大区 and 销售代表 merged down over their customers, one 联系方式 column
    holding landlines, e-mails and mobiles, and columns no field knows (微信号, 合作产品线)."""
    rows = [
        ["序号", "客户名称", "统一社会信用代码", "大区", "销售代表", "手机", "联系方式", wechat_header, "合作产品线"],
        [1, "成都天府软件有限公司", uscc("91510100MA61XXXE5"), "西南", "李雷", "13911112222", "028-85551234",
         "tf_soft", "ERP"],
        [2, "重庆两江智能科技有限公司", uscc("91500000MA5UXXXF6"), None, None, None, "lj@liangjiang.cn", None, "MES"],
        [3, "贵阳数谷科技有限公司", uscc("91520100MA6HXXXG7"), None, "韩梅", "13722223333", "13722223333",
         "shugu", None],
        [4, "昆明滇池贸易有限公司", uscc("91530100MA6KXXXH8"), None, None, None, "0871-63334444", None, "CRM"],
    ]
    merged = ["D2:D5", "E2:E3", "E4:E5"]
    return make_workbook(folder, name, {"客户": rows}, {"客户": merged})
