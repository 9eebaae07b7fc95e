"""Build the blind submissions in this folder (run by hand: needs LibreOffice for the files it saves).

    .venv/bin/python tests/data/workbooks_blind/build.py

Written the way sales teams send their files, not from the test fixtures (tests/seed_layouts.py):
other companies, other spellings, team-only columns, title and note rows, LibreOffice-saved
copies. The files are committed; the tests read them without LibreOffice (README.md here).
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stdnum.cn import uscc as _uscc

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from pipeline.normalize.codes import org_check_char  # noqa: E402
from tests.factories import make_workbook  # noqa: E402

HERE = Path(__file__).resolve().parent


def code(body: str) -> str:
    """A well-formed 统一社会信用代码 from 8 characters (type + region) and 8 of the
    organisation code: both check characters computed (GB 11714, GB 32100)."""
    body17 = body[:16] + org_check_char(body[8:16])
    return body17 + _uscc.calc_check_digit(body17)


def _book(sheets, merged=None, freeze=None):
    """A workbook builder for :func:`main`: ``save(path)`` writes it (tests/factories.py)."""
    class Book:
        def save(self, path: Path) -> None:
            make_workbook(path.parent, path.name, sheets, merged, freeze)
    return Book()


def follow_up_list():
    """A team's follow-up list on the sales tool's fields, reordered, with team columns."""
    rows = [
        ["华东二区重点客户跟进表"] + [None] * 16,
        ["统计周期：2026年11月", None, None, None, None, None, None, None, None, None, None, None, None, None,
         None, None, "更新人：周晓"],
        ["序号", "负责销售", "客户全称", "行业", "官网", "注册资本", "决策人", "职务", "电话/邮箱", "微信号",
         "需求描述", "预算", "客户类型", "需求阶段", "决策链", "最近一次跟进", "客户反馈"],
        [1, "周晓", "宁波甬舟港航物流有限公司", "水上运输业", "www.yongzhou-log.cn", "5000万元", "陈建国", "总经理",
         "13967812345", "chenjg_nb", "车队调度系统升级", "20-30万", "成交客户", "合作中", "复杂决策",
         dt.datetime(2026, 11, 18), "满意，准备续签"],
        [2, "周晓", "绍兴柯桥纺织印染有限公司", "纺织业", None, "1200万", "沈丽华", "采购经理",
         "shenlh@kqfz.com.cn", None, "降低能耗", "8万以内", "潜在客户", "潜在需求", "简单决策", "2026/11/05",
         "需进一步评估"],
        [3, "吴涛", "嘉兴禾丰农业科技股份有限公司", "农业", "https://www.hefeng-agri.com", "8000万元", "朱明",
         "副总裁", "0573-82251166", "zm_hefeng", "冷链仓储方案", "100万以上", "战略客户", "成交意向", "复杂决策",
         "2026-11-26", "已进入商务谈判"],
        [4, "吴涛", "湖州南太湖新能源有限公司", "电力、热力生产和供应业", None, None, "钱伟", "技术总监",
         "qianwei@ntaihu.com", "qw_ntaihu", "光伏运维数据平台", "约15万", "流失客户", "明确需求", "复杂决策",
         "2026年10月9日", "选择了竞争对手"],
        [5, "吴涛", "台州椒江精工模具厂", "专用设备制造业", None, "300万", "金海", "厂长", "13858612200", None,
         "模具设计软件", "面议", "潜在客户", "潜在需求", "简单决策", "2026-11-30", "暂无需求"],
    ]
    return _book({"11月跟进": rows}, {"11月跟进": ["A1:Q1"]}, {"11月跟进": "A4"})


def maintenance_form(company: str, uscc: str, contact: str, remark_row: tuple[str, str]):
    """The customer-maintenance form with its check boxes, filled in by a rep."""
    label, remark = remark_row
    rows = [
        ["客户信息维护与收集表", None, None, None, None, None, None],
        ["填表部门：大客户部", None, None, None, None, None, "填表日期：2026-11-27"],
        ["一、客户基础信息", None, None, None, None, None, None],
        ["项目", "填写内容", "备注（填写说明）", None, None, None, None],
        ["客户名称", company, "企业客户需填写全称", None, None, None, None],
        ["统一社会信用代码", uscc, "企业客户填写，便于核实资质", None, None, None, None],
        ["所属行业", "批发业", "如“零售业-连锁超市”", None, None, None, None],
        ["客户类型", "■新客户 □老客户 □重点客户 □其他", "根据合作阶段与重要性选择", None, None, None, None],
        ["首次接触时间", "2026年9月16日", "记录客户首次与企业建立联系的时间", None, None, None, None],
        ["客户来源", "☑展会 □转介绍 □线上推广 □其他", "标识客户获取渠道", None, None, None, None],
        ["二、联系人信息", None, None, None, None, None, None],
        ["项目", "填写内容", "备注（填写说明）", None, None, None, None],
        ["姓名", contact, "客户对接人姓名，用*代替", None, None, None, None],
        ["职务", "运营总监", "如“市场部经理”", None, None, None, None],
        ["办公电话", "027-87654321", "填写时需脱敏，如“010”", None, None, None, None],
        ["手机号码", "186 2710 3456", "填写时需脱敏，如“1396789”", None, None, None, None],
        ["电子邮箱", "ops@jiangcheng-trade.com", "保证邮箱格式正确", None, None, None, None],
        ["其他联系方式", "企业微信 jc_ops", "如/企业账号", None, None, None, None],
        ["三、互动记录（可添加多条）", None, None, None, None, None, None],
        ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员（内部、客户）", "下一步行动", "完成状态"],
        ["2026年9月16日", "□电话 ☑拜访 □线上会议 □邮件", "展会后首次拜访", "介绍仓配一体化方案", "刘洋、" + contact,
         "寄送报价", "□待处理 ☑已完成"],
        ["2026年11月20日", "□电话 □拜访 ☑线上会议 □邮件", "报价答疑", "客户关注结算周期", "刘洋",
         "12月初提交修订报价", "☑待处理 □已完成"],
        ["年月日", "□电话□拜访□线上会议□邮件", None, None, None, None, "□待处理□已完成"],
        ["四、需求与反馈", None, None, None, None, None, None],
        ["需求描述", "优先级", "需求状态", "预计解决时间", "客户满意度评分（1-5分）", "客户建议/投诉内容", None],
        ["华中区域仓配一体化", "□高 ☑中 □低", "☑待处理 □处理中 □已完成 □已关闭", "2027年1月15日", "3分",
         "希望账期延长到60天", None],
        ["五、维护计划", None, None, None, None, None, None],
        ["维护负责人", "下次跟进时间", "跟进目标", "预计沟通方式", "特殊注意事项", None, None],
        ["刘洋", "2026年12月3日", "提交修订报价", "□电话 ☑拜访 □线上会议", "客户财务负责人需一同参会", None, None],
        ["六、备注（其他需说明事项）", None, None, None, None, None, None],
        ["内容", "年底前有扩仓计划", None, None, None, None, None],
    ]
    for row in rows:
        if row[0] == label:
            row[2] = remark
    return _book({"客户信息": rows}, {"客户信息": ["A1:G1"]})


def field_card():
    """The B-side field list kept as a vertical card: 信息类别 | 字段名称 | 填写内容 | 备注."""
    rows = [
        ["B端客户资料信息表", None, None, None],
        ["信息类别", "字段名称", "填写内容", "备注"],
        ["基本信息", "公司名称", "天津滨海重工装备有限公司", "与营业执照一致"],
        [None, "统一社会信用代码", code("91120116MAAY4CL1"), None],
        [None, "成立年限", "12年", None],
        [None, "员工规模", "500-1000人", None],
        ["联系方式", "对接人姓名", "孟凡", None],
        [None, "职位", "设备部部长", None],
        [None, "手机号码", "13602218877", "客户称下月换号"],
        [None, "办公电话", "022-25321188", None],
        ["业务需求", "核心采购品类", "液压件、密封件", None],
        [None, "年采购量", "约300万元", "以年度合同为准"],
        [None, "期望合作模式", "年度框架+按单结算", None],
        ["合作历史", "首次合作时间", "2021年6月", "若无则不填"],
    ]
    return _book({"客户资料": rows}, {"客户资料": ["A1:D1", "A3:A6", "A7:A10", "A11:A13"]})


def region_summary():
    """Title rows, a three-row header (group over group over leaf, vertically merged sub-headers),
    大区 and 销售代表 merged over their customers, a totals row at the bottom."""
    rows = [
        ["西南大区客户汇总表（2026年11月）"] + [None] * 10,
        ["制表：西南大区运营组"] + [None] * 10,
        ["大区", "销售代表", "客户信息", None, None, None, None, None, "合作情况", None, None],
        [None, None, "基本信息", None, None, "联系人", None, None, "年合作金额（万元）", "客户状态", "下次跟进"],
        [None, None, "客户名称", "统一社会信用代码", "城市", "姓名", "手机", "邮箱", None, None, None],
        ["西南", "罗静", "成都蓉欧供应链管理有限公司", code("91510100MA2TH3BJ"), "成都", "邓超", "13880012345",
         "dengchao@rongou-sc.com", 120, "合作中客户", dt.datetime(2026, 12, 8)],
        [None, None, "绵阳科创电子有限公司", code("91510700MA1XG612"), "绵阳", "杨帆", "13990153322",
         "yangfan@mykc.cn", 45.5, "合作中客户", dt.datetime(2026, 12, 15)],
        [None, "彭亮", "重庆渝新欧机械有限公司", code("91500000MADD272H"), "重庆", "何勇", "13708309988", None, 80,
         "意向客户", dt.datetime(2026, 12, 2)],
        [None, None, "贵州黔峰茶业有限公司", code("91520100MAD1TJ3Y"), "贵阳", "龙梅", "15185004455",
         "longmei@qianfeng-tea.com", 12, "潜在客户", None],
        ["合计", None, None, None, None, None, None, None, 257.5, None, None],
    ]
    merged = ["A1:K1", "A3:A5", "B3:B5", "C3:H3", "I3:K3", "C4:E4", "F4:H4", "I4:I5", "J4:J5", "K4:K5",
              "A6:A9", "B6:B7", "B8:B9", "A10:H10"]
    # the same header drawn without merging (group texts followed by blank cells), 大区 merged down
    # over its customers AND their 小计 row, the 小计 and 合计 written in the 客户名称 column
    plain = [
        ["华中大区客户汇总表（2026年11月）"] + [None] * 10,
        ["大区", "销售代表", "客户信息", None, None, None, None, None, "合作情况", None, None],
        [None, None, "基本信息", None, None, "联系人", None, None, "年合作金额（万元）", "客户状态", "下次跟进"],
        [None, None, "客户名称", "统一社会信用代码", "城市", "姓名", "手机", "邮箱", None, None, None],
        ["华中", "高翔", "郑州中原冷链物流有限公司", code("91410100MAK2P7TB"), "郑州", "魏东", "13903716655",
         "weidong@zycl.com", 66, "合作中客户", dt.datetime(2026, 12, 10)],
        [None, "高翔", "洛阳伊河轴承有限公司", code("91410300MA9C4EQ2"), "洛阳", "孔亮", "13838821100", None, 30,
         "意向客户", None],
        [None, None, "小计", None, None, None, None, None, 96, None, None],
        [None, "陶然", "长沙岳麓智造科技有限公司", code("91430100MAB7MR3N"), "长沙", "易峰", "13707318899",
         "yifeng@ylzz.cn", 18, "潜在客户", dt.datetime(2026, 12, 20)],
        [None, None, "小计", None, None, None, None, None, 18, None, None],
        [None, None, "合计", None, None, None, None, None, 114, None, None],
    ]
    return _book({"西南": rows, "华中": plain}, {"西南": merged, "华中": ["A1:K1", "A5:A10"]})


def notes_below():
    """Header frozen at row 3, the team's 编号, notes and signatures below the table."""
    rows = [
        ["华南销售部客户清单（2026年11月）", None, None, None, None, None, None, None, None, None, None],
        ["说明：带*为必填；金额单位：元", None, None, None, None, None, None, None, None, None, None],
        ["编号", "* 客户名称", "统一社会信用代码", "省份", "城市", "联系人", "手机号码", "电子邮箱", "客户来源",
         "年合作金额", "备注"],
        ["HN-2611-03", "佛山顺德美居家电有限公司", code("91440606MA7LLJY1"), "广东", "佛山", "梁志强", "13925001234",
         "liangzq@mjjd.com", "展会", 860000, None],
        ["HN-2611-01", "东莞松湖智能装备有限公司", code("91441900MAJJC171"), "广东省", "东莞市", "叶敏", "13711002233",
         None, "老客户介绍", "1,250,000", "年底续约"],
        ["HN-2611-07", "南宁邕江糖业有限公司", code("91450100MAHU49D4"), "广西", "南宁", "韦德", "18977123456",
         "weide@yjty.cn", "官网", "36万", None],
        ["海南片区", None, None, None, None, None, None, None, None, None, None],
        ["HN-2611-02", "海口椰城旅游开发有限公司", code("91460100MAH3J9HT"), "海南", "海口", "符丽", "13876543210",
         None, "线上推广", None, "新开发"],
        [None] * 11,
        ["注：1. 本表每月5日前提交；2. 统一社会信用代码以营业执照为准。", None, None, None, None, None, None, None,
         None, None, None],
        ["以上数据截至2026年11月28日，如有变动另行通知", None, None, None, None, None, None, None, None, None, None],
        ["填表人：李娜", None, None, None, "审核人：王强", None, None, None, None, None, None],
    ]
    merged = ["A1:K1", "A2:K2", "A7:K7", "A10:K10", "A11:K11"]
    return _book({"客户清单": rows}, {"客户清单": merged}, {"客户清单": "A4"})


def grid_card():
    """A customer card without a 字段名称/填写内容 header: label | value | 备注 per row."""
    rows = [
        ["客户资料卡（华东一区）", None, None],
        [None, None, None],
        ["客户名称", "合肥庐州智能家居有限公司", "与营业执照一致"],
        ["统一社会信用代码", code("91340100MAC9RT2K"), None],
        ["所属行业", "家具制造业", "按公司统一行业分类填写"],
        ["联系人", "程亮", None],
        ["手机号码", "13805512266", "周末不接电话"],
        ["电子邮箱", "chengliang@luzhou-home.cn", None],
        ["客户来源", "转介绍", "由芜湖经销商推荐"],
        ["年合作金额（万元）", 38, None],
    ]
    return _book({"客户卡": rows}, {"客户卡": ["A1:C1"]})


def ledger_with_units():
    """A team ledger: a units row under the header, two contacts of one customer on two rows
    (name and code merged over both), a 合计 row."""
    rows = [
        ["序号", "客户名称", "统一社会信用代码", "城市", "联系人", "手机号码", "年合作金额", "累计合作金额", "客户状态"],
        [None, None, None, None, None, None, "（万元）", "（万元）", None],
        [1, "沈阳盛京重型机械有限公司", code("91210100MAE4HQ7C"), "沈阳", "于海", "13940012233", 150, 420, "合作中"],
        [None, None, None, None, "唐静", "13840015566", None, None, None],
        [2, "大连星海港口设备有限公司", code("91210200MA0U8PLN"), "大连", "曲波", "13904118899", 60, 60, "意向客户"],
        [3, "长春净月生物制药有限公司", code("91220100MA17D3WK"), "长春", "barbara@jingyue-bio.com", None, 22, 80,
         "流失"],
        ["合计", None, None, None, None, None, 232, 560, None],
    ]
    merged = ["A3:A4", "B3:B4", "C3:C4", "D3:D4", "G3:G4", "H3:H4", "I3:I4"]
    return _book({"台账": rows}, {"台账": merged})


def two_tables():
    """企业客户 and 个人客户 kept on one sheet, each table under its own title and header."""
    rows = [
        ["华东三区客户名单", None, None, None, None],
        ["企业客户", None, None, None, None],
        ["客户名称", "统一社会信用代码", "联系人", "手机号码", "所属行业"],
        ["温州瓯江阀门制造有限公司", code("91330300MAN6TE4P"), "林海", "13857711234", "通用设备制造业"],
        ["金华婺城文具有限公司", code("91330700MA2HKW8R"), "方芳", "13957922345", "文教、工美、体育和娱乐用品制造业"],
        [None, None, None, None, None],
        ["个人客户", None, None, None, None],
        ["姓名", "手机号码", "常用地址", "核心需求", "客户来源"],
        ["蒋文", "13605771122", "浙江省温州市鹿城区五马街18号", "别墅中央空调", "展会"],
        ["潘悦", "1390579123", "浙江省金华市婺城区八一北街66号", "家用净水设备", "朋友介绍"],
    ]
    return _book({"名单": rows}, {"名单": ["A1:E1"]})


def _soffice(src: Path, fmt: str, dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", fmt,
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        out = next(p for p in Path(tmp).iterdir() if p.is_file())
        shutil.move(str(out), dest)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        follow_up_list().save(HERE / "华东二区_重点客户跟进表.xlsx")
        field_card().save(HERE / "华北区_客户资料卡.xlsx")
        notes_below().save(HERE / "华南销售部_客户清单.xlsx")
        maintenance_form("武汉江城商贸有限公司", code("91420100MAM53JJL"), "郑凯",
                         ("首次接触时间", "展会名片上的日期，需与客户核对")).save(t / "form1.xlsx")
        _soffice(t / "form1.xlsx", "xlsx", HERE / "大客户部_客户维护表.xlsx")            # saved by LibreOffice
        maintenance_form("长沙湘江医药连锁有限公司", code("91430100MA6B3HN2"), "黄蓉",
                         ("手机号码", "仅工作日9点后接听")).save(t / "form2.xlsx")
        _soffice(t / "form2.xlsx", "ods", HERE / "华中销售部_客户维护表.ods")
        grid_card().save(HERE / "华东一区_客户资料卡.xlsx")
        two_tables().save(HERE / "华东三区_客户名单.xlsx")
        ledger_with_units().save(t / "ledger.xlsx")
        _soffice(t / "ledger.xlsx", "xlsx", HERE / "东北销售部_客户台账.xlsx")
        region_summary().save(t / "region.xlsx")
        _soffice(t / "region.xlsx", "xls", HERE / "西南大区_客户汇总.xls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
