"""Intake: the label/value form and the field-list form (docs/intake.md, “Forms”)."""
import datetime as dt

from factories import make_workbook
from pipeline.intake import list_inputs, read_inputs

LABEL_FORM = [
    ["客户信息维护与收集表"],                                                         # 1
    ["一、客户基础信息"],                                                             # 2
    ["项目", "填写内容", "备注(填写说明)"],                                           # 3
    ["客户名称", "苏州某某科技有限公司", "企业客户需填写全称"],                       # 4
    ["统一社会信用代码", "(选填)", "企业客户填写"],                                   # 5
    ["所属行业", "制造业-计算机通信设备", ""],                                        # 6
    ["首次接触时间", "年月日", ""],                                                   # 7
    ["客户来源", "□展会☑转介绍□线上推广□其他", ""],                                  # 8
    ["二、联系人信息"],                                                               # 9
    ["项目", "填写内容", "备注(填写说明)"],                                           # 10
    ["姓名", "张经理", ""],                                                           # 11
    ["职务", "采购总监", ""],                                                         # 12
    ["手机号码", 13812345678, ""],                                                    # 13
    ["其他联系方式", "微信 zhang", ""],                                               # 14
    ["三、互动记录（可添加多条）"],                                                   # 15
    ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员(内部、客户)", "下一步行动", "完成状态"],  # 16
    [dt.date(2026, 10, 1), "☑电话□拜访", "Q3需求", "希望缩短交付", "王,张", "3日内反馈", "□待处理☑已完成"],  # 17
    [dt.date(2026, 11, 2), "拜访", "续约", "谈续约", "王", "报价", "待处理"],         # 18
    ["年月日", "□电话□拜访□线上会议□邮件", None, None, None, None, "□待处理□已完成"],  # 19: unfilled
    ["四、需求与反馈"],                                                               # 20
    ["需求描述", "优先级", "需求状态", "预计解决时间", "客户满意度评分(1-5分)", "客户建议/投诉内容"],  # 21
    ["定制化数据分析", "高", "处理中", "2026-12-31", 4.5, "支持CSV导出"],             # 22
    ["五、维护计划"],                                                                 # 23
    ["维护负责人", "下次跟进时间", "跟进目标", "预计沟通方式", "特殊注意事项"],       # 24
    ["王五", "2026-12-05", "确认方案", "电话", "提前预约"],                           # 25
    ["六、备注(其他需说明事项)"],                                                     # 26
    ["内容", "重点维护"],                                                             # 27
]


def test_label_value_form(tmp_path, rules):
    make_workbook(tmp_path, "大客户部_客户表单.xlsx", {"客户信息": LABEL_FORM})
    res = read_inputs(list_inputs(tmp_path), tmp_path, rules)
    rec = res.data["records"]
    assert len(rec) == 1
    r = rec.iloc[0]
    assert (r["src_layout"], r["src_row"], r["row_id"]) == ("form-label", 4, 0)
    assert r["name"] == "苏州某某科技有限公司" and r["uscc"] is None     # "(选填)" is a template remnant
    assert r["industry"] == "制造业-计算机通信设备" and r["source"] == "转介绍"
    assert (r["contact"], r["position"], r["mobile"]) == ("张经理", "采购总监", 13812345678)
    assert r["remark"] == "重点维护" and r["core_need"] == "定制化数据分析"
    assert r["next_follow"] == "2026-12-05" and r["customer_type"] == "企业"
    assert r["src_cells"]["name"] == "B4" and r["src_cells"]["mobile"] == "B13"
    assert r["src_cells"]["core_need"] == "A22"
    assert r["other_contact"] == "微信 zhang" and r["extras"] is None
    assert res.data["source_rows"][["src_row", "row_id", "outcome"]].values.tolist() == [[4, 0, "data"]]

    rel = res.data["related"]
    assert rel["联系人"][["row_id", "src_row", "姓名", "职位", "手机号码"]].values.tolist() == \
        [[0, 11, "张经理", "采购总监", 13812345678]]
    inter = rel["互动记录"]
    assert list(inter["src_row"]) == [17, 18]
    assert list(inter["互动方式"]) == ["电话", "拜访"] and list(inter["完成状态"]) == ["已完成", "待处理"]
    assert inter.iloc[0]["参与人员"] == "王,张"
    need = rel["需求与反馈"].iloc[0]
    assert (need["满意度"], need["建议/投诉"], need["src_row"]) == (4.5, "支持CSV导出", 22)
    assert rel["维护计划"].iloc[0]["沟通方式"] == "电话"
    unknown = [i for i in res.issues if i.rule == "column-unknown"]
    assert unknown == []                         # 首次接触时间 is a field of its own
    cols = res.data["columns"].set_index("field")
    assert cols.loc["mobile", "column"] == "B"


FIELD_FORM = [
    ["客户编号", "所属行业", "信息类别", "字段名称", "填写内容", "备注"],          # 1
    ["KH001", "制造业", "基本信息", "公司名称", "某科技有限公司", "与营业执照一致"],  # 2
    [None, None, None, "统一社会信用代码", "91320594MA1W3XXR5A", ""],             # 3
    [None, None, None, "成立年限", "8年", ""],                                      # 4
    [None, None, "联系方式", "对接人姓名", "张经理", ""],                           # 5
    [None, None, None, "手机号码", "13856781234", "需客户确认"],                    # 6
    [None, None, None, "首次合作时间", "2023年3月", ""],                            # 7
    ["KH002", "零售业", "基本信息", "公司名称", "某超市有限公司", ""],              # 8
    [None, None, None, "手机号码", "13900001111", ""],                              # 9
    [None, None, None, "公司名称", "重复填写", ""],                                  # 10
]


def test_field_list_form_groups_by_customer_number(tmp_path, rules):
    make_workbook(tmp_path, "华南组_字段表.xlsx", {"B端客户": FIELD_FORM}, merged={"B端客户": ["A2:A7", "B2:B7"]})
    res = read_inputs(list_inputs(tmp_path), tmp_path, rules)
    rec = res.data["records"]
    assert list(rec["src_row"]) == [2, 8] and list(rec["src_layout"]) == ["form-fields"] * 2
    a, b = rec.iloc[0], rec.iloc[1]
    assert (a["name"], a["uscc"], a["industry"], a["contact"], a["mobile"], a["first_coop"]) == \
        ("某科技有限公司", "91320594MA1W3XXR5A", "制造业", "张经理", "13856781234", "2023年3月")
    assert a["src_cells"] == {"industry": "B2", "name": "E2", "uscc": "E3", "contact": "E5",
                              "mobile": "E6", "first_coop": "E7", "source_id": "A2", "founded_years": "E4"}
    assert (a["source_id"], a["founded_years"], b["source_id"]) == ("KH001", "8年", "KH002")
    assert a["extras"] is None                   # the team's 客户编号 is 原客户编号, not an extra
    assert (b["name"], b["industry"], b["mobile"]) == ("某超市有限公司", "零售业", "13900001111")
    assert list(rec["customer_type"]) == ["企业", "企业"]
    dup = [i for i in res.issues if i.rule == "column-duplicate"]
    assert [(i.row, i.field) for i in dup] == [(10, "name")]
    assert b["extras"]["公司名称"] == "重复填写"
    missing = [i for i in res.issues if i.rule == "column-missing"]
    assert missing == []                         # every required field has a row in the form


def test_empty_form_template_is_file_empty(tmp_path, rules):
    blank = [row if i < 3 else [row[0], "年月日" if "时间" in str(row[0]) else None] for i, row in enumerate(LABEL_FORM[:8])]
    make_workbook(tmp_path, "空表单.xlsx", {"客户信息": blank})
    res = read_inputs(list_inputs(tmp_path), tmp_path, rules)
    assert res.data["records"].empty
    assert [i.rule for i in res.issues if i.rule.startswith("file-")] == ["file-empty"]
    assert res.data["files"].loc[0, "status"] == "已拒收"
