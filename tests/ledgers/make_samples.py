"""Regenerate the checked-in sample ledgers: `python tests/ledgers/make_samples.py`.

Each ledger has
  valid.xlsx     the template's layout, as the system exports it
  tolerant.xlsx  what offices really send: title rows and merged cells above
                 the header, spaces and full-width brackets in headers, units
                 in headers (万元), synonyms, 合计/小计 rows, blank rows,
                 full-width digits, amounts like 4,300 / 1.68亿 / 肆仟叁佰万元整,
                 dates in every usual form, numbers stored as text, a formula
                 whose cached value differs from what it would compute
  errors.xlsx    one bad value of each kind, duplicate keys, model rules
  missing_column.xlsx  a required column left out
and hostile/ holds files that must be refused whatever the ledger.
The tests assert the exact messages these files produce.
"""

import datetime
import io
import sys
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).parent / "samples"
D = datetime.date


def workbook(path, sheet="Sheet1"):
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
    return wb, wb.add_worksheet(sheet)


def put(wb, ws, row, values):
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, tuple) and value[0] == "formula":
            ws.write_formula(row, col, value[1], None, value[2])
        elif isinstance(value, datetime.date):
            ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, value)
        else:
            ws.write_number(row, col, value)


def table(path, header, rows, *, sheet="Sheet1", title=None, header_row=0):
    wb, ws = workbook(path, sheet)
    if title:
        for r, text in enumerate(title):
            ws.merge_range(r, 0, r, len(header) - 1, text)
    put(wb, ws, header_row, header)
    for r, values in enumerate(rows, start=header_row + 1):
        put(wb, ws, r, values)
    wb.close()


# ---------------------------------------------------------------- funds
FUNDS_HEADER = ["*年度", "*资金类型", "拨付单位", "文号", "*到位日期", "*金额（元）", "备注"]


def funds():
    d = HERE / "funds"
    table(d / "valid.xlsx", FUNDS_HEADER, [
        [2022, "财政援助资金", "南京市六合区人民政府", "样例〔2022〕1号", D(2022, 6, 26), 30000000, "（示例）"],
        [2022, "财政援助资金", "南京市六合区人民政府", "样例〔2022〕2号", D(2022, 7, 15), 12200000, ""],
        [2021, "社会帮扶资金", "", "样例〔2021〕9号", D(2021, 9, 1), 500000.5, ""],
    ], sheet="资金到位")
    table(d / "tolerant.xlsx",
          ["序号", " 年 份 ", "资金类别", "付款单位", "拨付文号", "到账日期", "到位金额（万元）", "说 明"], [
              [1, "２０２２", "财政援助", "南京市六合区人民政府", "样例〔2022〕11号", "2022年6月26日", "4,300", ""],
              [2, "2022", "社会帮扶", "", "样例〔2022〕12号", "2022.6.26", "1.68亿", ""],
              ["", "", "", "", "", "", "", ""],
              [3, "2022", "捐物折款", "", "样例〔2022〕13号", "2022/6/26", "肆仟叁佰万元整", ""],
              [4, 2022, "结对帮扶资金", "", "样例〔2022〕14号", "2022-06-26", "420", ""],
              [5, 2022, "财政援助资金", "", "样例〔2022〕15号", 44738, "１２．５", ""],
              [6, 2022, "财政援助资金", "", "样例〔2022〕16号", D(2022, 6, 26), ("formula", "=100+100", 300), ""],
              ["小计", "", "", "", "", "", ("formula", "=SUM(G4:G10)", 64032.5), ""],
              ["合 计", "", "", "", "", "", 64032.5, ""],
          ], sheet="2022年", title=["六合区—湟源县2022年东西部协作资金到位台账（示例）", "填报单位：湟源县协作办"],
          header_row=2)
    # The table starts at C4, with blank rows inside and a row far below.
    wb, ws = workbook(d / "offset.xlsx", "资金到位")
    put(wb, ws, 3, [""] * 2 + FUNDS_HEADER)
    put(wb, ws, 4, ["", "", 2022, "财政援助资金", "", "样例〔2022〕31号", D(2022, 6, 26), 100, ""])
    put(wb, ws, 7, ["", "", 2022, "财政援助资金", "", "样例〔2022〕32号", D(2022, 6, 27), 200, "第8行"])
    put(wb, ws, 40, ["", "", 2022, "财政援助资金", "", "样例〔2022〕33号", D(2022, 6, 28), "x", ""])
    wb.close()
    table(d / "errors.xlsx", FUNDS_HEADER, [
        [2022, "财政", "", "样例E1号", "2022年13月1日", "abc", ""],
        ["二〇二二", "财政援助资金", "不存在的单位（示例）", "样例E2号", "2022-06-26", -5, ""],
        [2022, "财政援助资金", "", "样例E3号", "", 100, ""],
        [2022, "财政援助资金", "", "样例E4号", "2022-06-26", 100, ""],
        [2022, "财政援助资金", "", "样例E4号", "2022-06-26", 200, ""],
    ], sheet="资金到位")
    table(d / "missing_column.xlsx", ["年度", "资金类型", "文号", "金额"], [
        [2022, "财政援助资金", "样例M1号", 100],
    ], sheet="资金到位")


# ------------------------------------------------------------- projects
PROJECTS_HEADER = ["*项目编号", "*项目名称", "*年度", "*项目类别", "实施乡镇", "实施村", "实施单位",
                   "*协作资金（元）", "其他资金（元）", "计划开工", "计划完工", "实际开工", "实际完工", "*状态",
                   "终止原因", "联农带农方式", "联农带农说明", "建设内容"]


def projects():
    d = HERE / "projects"
    table(d / "valid.xlsx", PROJECTS_HEADER, [
        ["YL-2022-01", "大华镇何家庄幼儿园建设项目（示例）", 2022, "教育", "大华镇", "", "湟源县教育局",
         3000000, 0, D(2022, 4, 1), D(2022, 10, 31), D(2022, 4, 10), "", "实施", "", "工资性", "", "新建园舍（示例）"],
        ["YL-2022-02", "乡村学校运动场建设（示例）", 2022, "教育", "", "", "", 1500000, 200000, "", "", "", "",
         "立项", "", "", "", ""],
        ["YL-2021-03", "县医院重症监护室设备购置（示例）", 2021, "医疗卫生", "城关镇", "", "湟源县人民医院",
         2800000, 0, "", "", D(2021, 5, 1), D(2021, 11, 30), "验收", "", "资产性、经营性", "", ""],
    ], sheet="项目")
    table(d / "tolerant.xlsx",
          ["序号", "编号", "项目名称", "实施年度", "项目大类", "乡镇", "建设单位", "协作资金(万元)",
           "配套资金（万元）", "开工日期", "完工日期", "项目状态", "带农方式", "建设内容及规模"], [
              [1, "YL-T-01", "示例项目一", "２０２２", "教育", "大华镇", "湟源县教育局", "300", "", "2022.4.10",
               "", "在建", "工资性", "围墙180米"],
              ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],
              [2, "YL-T-02", "示例项目二", 2022, "health", "", "", 280.5, "1,000", 44652, "2022年11月30日",
               "已完工", "资产性，经营性", ""],
              ["合计", "", "", "", "", "", "", 580.5, "", "", "", "", "", ""],
          ], sheet="项目台账", title=["2022年东西部协作项目台账（示例）", "单位：万元"], header_row=2)
    table(d / "errors.xlsx", PROJECTS_HEADER, [
        ["YL-E-01", "示例错误项目一", 2022, "不存在的类别", "", "", "", 100, 0, "", "", "", "", "在建中", "", "", "", ""],
        ["YL-E-02", "示例错误项目二", 2022, "教育", "", "", "", 100, 0, D(2022, 5, 1), D(2022, 4, 1), "", "", "终止",
         "", "工资性", "", ""],
        ["YL-E-03", "示例错误项目三", 2022, "教育", "", "", "", "10万元", 0, "", "", "", "", "立项", "", "分红", "", ""],
    ], sheet="项目")
    table(d / "missing_column.xlsx", ["项目编号", "年度", "项目类别", "协作资金", "状态"], [
        ["YL-M-01", 2022, "教育", 100, "立项"],
    ], sheet="项目")


# -------------------------------------------------------- disbursements
DISB_HEADER = ["*项目编号", "*拨付日期", "*金额（元）", "凭证号", "*用途", "状态"]


def disbursements():
    d = HERE / "disbursements"
    table(d / "valid.xlsx", DISB_HEADER, [
        ["HY-2022-07", D(2022, 8, 1), 1000000, "样例拨付-001", "孵化园工程进度款（示例）", ""],
        ["HY-2022-07", D(2022, 9, 1), 500000, "样例拨付-002", "孵化园工程进度款（示例）", ""],
        ["HY-2022-12", D(2022, 9, 15), 300000, "样例拨付-003", "帮扶车间设备款（示例）", "已确认"],
    ], sheet="资金拨付")
    table(d / "tolerant.xlsx", ["序号", "项目名称", "支出日期", "拨付金额（万元）", "记账凭证号", "摘要"], [
        [1, "湟源县乡村振兴产业孵化园建设项目", "2022年8月1日", "100", "样例拨付-T1", "进度款（示例）"],
        ["", "", "", "", "", ""],
        [2, "HY-2022-12", "2022.9.15", "３０", "样例拨付-T2", "设备款（示例）"],
        ["合计", "", "", 130, "", ""],
    ], sheet="拨付台账", title=["2022年东西部协作资金拨付台账（示例）"], header_row=1)
    table(d / "errors.xlsx", DISB_HEADER, [
        ["HY-2099-99", D(2022, 8, 1), 1000, "样例拨付-E1", "用途（示例）", ""],
        ["HY-2022-10", D(2022, 8, 1), 0, "样例拨付-E2", "", ""],
        ["HY-2022-12", D(2099, 1, 1), 1000, "样例拨付-E3", "用途（示例）", ""],
    ], sheet="资金拨付")
    table(d / "missing_column.xlsx", ["项目编号", "拨付日期", "金额"], [["HY-2022-07", D(2022, 8, 1), 1000]],
          sheet="资金拨付")


# -------------------------------------------------------------- tenders
TENDERS_HEADER = ["*项目编号", "采购编号", "*采购事项名称", "*年度", "*采购品目类别", "*采购方式", "*估算金额（元）",
                  "*招标人（采购人）", "代理机构", "公告发布日期", "招标文件发出日期", "投标截止日期", "开标日期",
                  "评标报告提交日期", "候选人公示开始", "候选人公示结束", "中标通知日期", "中标供应商", "中标金额（元）",
                  "合同编号", "合同金额（元）", "合同签订日期",
                  "投标人", "统一社会信用代码", "法定代表人", "联系电话", "项目经理", "保证金转出账户", "投标报价（元）",
                  "有效投标", "否决理由", "是否中标"]
NO_BID = [""] * 10


def tender(project, code, title, kind, method, value, buyer, **more):
    """Return the process columns of a tenders row (dates and award as keywords)."""
    names = ["agent", "notice", "docs", "deadline", "opening", "report", "pub_start", "pub_end", "award",
             "supplier", "award_value", "contract_no", "contract_value", "signed"]
    return [project, code, title, 2023, kind, method, value, buyer] + [more.get(n, "") for n in names]


def tenders():
    d = HERE / "tenders"
    road = tender("HY-2022-10", "样例ZB-2023-001", "日月藏族乡乡村道路提升工程施工（示例）", "工程施工", "公开招标", 2800000,
                  "湟源县乡村振兴局", agent="青海示例招标代理有限公司（示例）", notice=D(2023, 4, 3),
                  docs=D(2023, 4, 3), deadline=D(2023, 4, 18), opening=D(2023, 4, 18), report=D(2023, 4, 20),
                  pub_start=D(2023, 4, 21), pub_end=D(2023, 4, 24), award=D(2023, 4, 28),
                  supplier="青海示例路桥建设有限公司（示例）", award_value=2650000, contract_no="样例HT-2023-001",
                  contract_value=2650000, signed=D(2023, 5, 8))
    table(d / "valid.xlsx", TENDERS_HEADER, [
        # A process without bids yet: the bid columns stay empty.
        tender("HY-2022-08", "", "陈醋灌装设备采购（示例）", "货物", "询价", 450000,
               "湟源县示例农牧业开发有限公司（示例）", notice=D(2023, 6, 1)) + NO_BID,
        road + ["青海示例路桥建设有限公司（示例）", "91630123MA7EYT001H", "王示例（示例）", "13907170001", "李示例（示例）",
                "6222 0000 0000 7001", 2650000, "是", "", "是"],
        road + ["西宁示例公路工程有限公司（示例）", "91630123MA7EYT002L", "赵示例（示例）", "0971-6123456", "钱示例（示例）",
                "6222000000007002", 2710000, "是", "", "否"],
        road + ["海东示例交通建设有限公司（示例）", "91630123MA7EYT003P", "孙示例（示例）", "13907170003", "周示例（示例）",
                "6222000000007003", 2590000, "否", "投标保证金未按时到账（示例）", ""],
    ], sheet="招标采购")

    def bad(code, title, method="公开招标", project="HY-2022-10", **more):
        return tender(project, code, title, "工程施工", method, 500000, "湟源县乡村振兴局", **more)

    def bid(name, price=480000, uscc="", valid="是", reason="", won=""):
        return [name, uscc, "", "", "", "", price, valid, reason, won]

    table(d / "errors.xlsx", TENDERS_HEADER, [
        bad("样例E-01", "错误示例一（示例）", project="HY-2099-99") + NO_BID,
        bad("样例E-02", "错误示例二（示例）") + bid("示例投标人甲（示例）", uscc="91630123MA7EYT001A"),
        bad("样例E-03", "错误示例三（示例）") + bid("示例投标人乙（示例）", price=-5),
        bad("样例E-04", "错误示例四（示例）") + bid("示例投标人乙（示例）", price="abc"),
        bad("样例E-05", "错误示例五（示例）") + bid("示例投标人丙（示例）"),
        bad("样例E-05", "错误示例五（示例）", method="邀请招标") + bid("示例投标人丁（示例）"),
        bad("样例E-05", "错误示例五（示例）") + bid("示例投标人丙（示例）", price=490000),
        bad("样例E-06", "错误示例六（示例）", notice=D(2023, 5, 10), docs=D(2023, 5, 1)) + NO_BID,
        bad("样例E-07", "错误示例七（示例）") + bid("示例投标人戊（示例）", valid="否"),
        bad("样例E-08", "错误示例八（示例）") + bid("示例投标人己（示例）", valid="否", reason="未按要求签章（示例）",
                                              won="是"),
    ], sheet="招标采购")


# ---------------------------------------------------------------- sales
SALES_HEADER = ["*销售日期", "*采购单位", "供应商", "*产品", "*销售渠道", "*类型", "*数量", "*单价（元）", "金额（元）",
                "凭证号", "备注"]
BUYER = "六合区示例中学（示例）"


def sales():
    d = HERE / "sales"
    table(d / "valid.xlsx", SALES_HEADER, [
        [D(2022, 6, 26), BUYER, "青海湟源日月山醋业有限责任公司", "湟源陈醋", "食堂采购", "直接采购", 100, 12.8, 1280,
         "样例销售-001", ""],
        [D(2022, 6, 27), BUYER, "", "青稞米", "832平台", "直接采购", 500, 9.6, "", "样例销售-002", "金额按数量×单价"],
        [D(2022, 6, 28), "南京个人消费者汇总（示例）", "", "湟源牦牛肉", "六合湟源消费扶贫专馆", "帮助销售", 10, 168, 1680,
         "样例销售-003", ""],
    ], sheet="消费帮扶销售")
    table(d / "tolerant.xlsx", ["序号", "日期", "购买单位", "商品名称", "渠道", "统计类型", "采购数量", "价格",
                                "销售额（万元）", "单据号"], [
        [1, "2022年6月26日", BUYER, "湟源陈醋", "canteen", "直采", "１００", "12.8", "0.128", "样例销售-T1"],
        ["", "", "", "", "", "", "", "", "", ""],
        [2, "2022/6/27", BUYER, "马铃薯", "食堂采购", "直接采购", 1000, 3.2, 0.32, "样例销售-T2"],
        ["小计", "", "", "", "", "", "", "", 0.448, ""],
    ], sheet="销售台账", title=["六合区2022年消费帮扶采购台账（示例）", "单位：万元"], header_row=2)
    table(d / "errors.xlsx", SALES_HEADER, [
        [D(2022, 6, 26), "不存在的采购单位（示例）", "", "湟源陈醋", "食堂采购", "直接采购", 100, 12.8, 1280, "样例E1", ""],
        [D(2022, 6, 26), BUYER, "", "湟源陈醋", "食堂采购", "直接采购", 100, 12.8, 9999, "样例E2", ""],
        [D(2022, 6, 26), BUYER, "湟源县示例马铃薯家庭农场（示例）", "湟源陈醋", "食堂采购", "直接采购", 10, 12.8, "",
         "样例E3", ""],
        [D(2022, 6, 26), BUYER, "", "湟源陈醋", "食堂采购", "直接采购", 0, 12.8, "", "样例E4", ""],
    ], sheet="消费帮扶销售")
    table(d / "missing_column.xlsx", ["销售日期", "采购单位", "产品", "类型", "数量", "单价"], [
        [D(2022, 6, 26), BUYER, "湟源陈醋", "直接采购", 1, 12.8]], sheet="消费帮扶销售")


# ------------------------------------------ buyers, suppliers, products
def reference():
    d = HERE / "buyers"
    table(d / "valid.xlsx", ["*采购单位", "*单位类型", "对应单位", "预算单位"], [
        ["六合区示例卫生院（示例）", "事业单位", "", "是"],
        ["南京示例食品有限公司（示例）", "民营企业", "", "否"],
    ], sheet="采购单位")
    table(d / "errors.xlsx", ["*采购单位", "*单位类型", "对应单位", "预算单位"], [
        ["南京示例个人汇总二（示例）", "个人汇总", "", "是"],
        ["六合区示例卫生院二（示例）", "医院", "", "也许"],
    ], sheet="采购单位")
    d = HERE / "suppliers"
    table(d / "valid.xlsx", ["*生产经营主体", "联系人", "备注"], [
        ["湟源县示例农牧业开发有限公司（示例）", "示例联系人", ""],
    ], sheet="供应商")
    table(d / "errors.xlsx", ["*生产经营主体", "联系人", "备注"], [
        ["湟源县人民医院", "", ""],
        ["不存在的合作社（示例）", "", ""],
    ], sheet="供应商")
    d = HERE / "products"
    table(d / "valid.xlsx", ["*供应商", "*产品名称", "*产品类别", "*计量单位", "消费帮扶产品认定编号", "认定有效期至"], [
        ["青海湟源日月山醋业有限责任公司", "湟源老陈醋礼盒（示例）", "调味品", "盒", "", ""],
        ["湟源县示例青稞种植专业合作社（示例）", "青稞挂面（示例）", "粮油", "袋", "示例认定-2022-0301", D(2023, 12, 31)],
    ], sheet="产品")
    table(d / "errors.xlsx", ["*供应商", "*产品名称", "*产品类别", "*计量单位", "消费帮扶产品认定编号", "认定有效期至"], [
        ["青海湟源日月山醋业有限责任公司", "示例错误产品（示例）", "饮料", "瓶", "", ""],
        ["青海湟源日月山醋业有限责任公司", "示例错误产品二（示例）", "调味品", "瓶", "", D(2023, 12, 31)],
    ], sheet="产品")


# ------------------------------------------------------------ donations
DONATION_HEADER = ["*捐赠日期", "*捐赠方", "*捐赠方类型", "统一社会信用代码", "*捐赠形式", "*金额（元）", "捐赠物资",
                   "*用途", "*受赠单位", "捐赠票据号", "备注"]


def donations():
    d = HERE / "donations"
    table(d / "valid.xlsx", DONATION_HEADER, [
        [D(2022, 6, 26), "南京示例商会（示例）", "行业协会", "", "捐款", 200000, "", "助学（示例）", "湟源县教育局",
         "样例捐赠-001", ""],
        [D(2022, 9, 1), "南京示例食品有限公司（示例）", "企业", "", "捐物（折款）", 50000, "米面油200份（示例）",
         "慰问（示例）", "湟源县大华镇人民政府", "样例捐赠-002", ""],
    ], sheet="社会帮扶捐赠")
    table(d / "errors.xlsx", DONATION_HEADER, [
        [D(2022, 6, 26), "南京示例商会（示例）", "行业协会", "91320116MA1XXXXXX1", "捐款", 1000, "", "助学（示例）",
         "湟源县教育局", "样例捐赠-E1", ""],
        [D(2022, 6, 26), "示例个人（示例）", "个人", "", "捐物", 1000, "", "助学（示例）", "湟源县教育局", "样例捐赠-E2", ""],
    ], sheet="社会帮扶捐赠")


# ---------------------------------------------------------- enterprises
ENTERPRISE_HEADER = ["*企业", "*投资项目", "企业来源地", "来源地（补充）", "*所属行业", "签约日期", "落地日期", "投产日期",
                     "协议投资额（元）", "实际到位投资（元）", "入驻园区", "带动就业（人）", "其中脱贫劳动力（人）", "备注"]


def enterprises():
    d = HERE / "enterprises"
    table(d / "valid.xlsx", ENTERPRISE_HEADER, [
        ["湟源县示例农牧业开发有限公司（示例）", "示例冷链仓储项目（示例）", "湟源县", "", "商贸物流", D(2022, 3, 1),
         D(2022, 6, 1), "", 5000000, 2000000, "", 30, 12, ""],
    ], sheet="招商引资")
    table(d / "errors.xlsx", ENTERPRISE_HEADER, [
        ["湟源县人民医院", "示例错误项目一（示例）", "", "", "其他", "", "", "", 0, 0, "", 0, 0, ""],
        ["湟源县示例农牧业开发有限公司（示例）", "示例错误项目二（示例）", "", "", "其他", D(2022, 6, 1), D(2022, 3, 1),
         "", 0, 0, "", 5, 8, ""],
    ], sheet="招商引资")


# -------------------------------------------------- investment arrivals
ARRIVAL_HEADER = ["*投资项目", "*到位日期", "*到位金额（元）", "备注"]


def investment_arrivals():
    """Tranches of the demo county's two illustrative investments."""
    d = HERE / "investment_arrivals"
    table(d / "valid.xlsx", ARRIVAL_HEADER, [
        ["青稞、牦牛肉精深加工项目（示例）", D(2023, 3, 15), 1000000, "三期（示例）"],
        ["农畜产品冷链仓储项目（示例）（南京示例供应链管理有限公司（示例））", D(2023, 5, 8), "50万", ""],
    ], sheet="投资到位")
    table(d / "errors.xlsx", ARRIVAL_HEADER, [
        ["不存在的项目（示例）", D(2023, 3, 15), 1000, ""],
        ["青稞、牦牛肉精深加工项目（示例）", D(2022, 6, 1), 1000, "签约前"],
        ["青稞、牦牛肉精深加工项目（示例）", D(2023, 4, 1), 0, ""],
        ["农畜产品冷链仓储项目（示例）", D(2023, 4, 1), 1000, ""],
        ["农畜产品冷链仓储项目（示例）", D(2023, 4, 1), 2000, "重复"],
    ], sheet="投资到位")


# --------------------------------------------------------------- visits
VISIT_HEADER = ["*类型", "*名称", "方向", "*开始日期", "*结束日期", "代表团人数（人）", "考察地点", "主要议题/内容"]


def visits():
    d = HERE / "visits"
    table(d / "valid.xlsx", VISIT_HEADER, [
        ["部门互访", "湟源县农牧和科技局赴六合区考察（示例）", "西部赴东部", D(2022, 8, 10), D(2022, 8, 12), 6,
         "六合区竹镇镇、六合区雄州街道", "考察农产品直供基地（示例）"],
        ["联席会议", "示例线上对接会（示例）", "视频/线上", D(2022, 11, 3), D(2022, 11, 3), "", "", ""],
    ], sheet="互访与会议")
    table(d / "errors.xlsx", VISIT_HEADER, [
        ["参观", "示例错误互访一（示例）", "东部赴西部", D(2022, 8, 10), D(2022, 8, 12), "", "", ""],
        ["考察", "示例错误互访二（示例）", "东部赴西部", D(2022, 8, 10), D(2022, 8, 1), "", "", ""],
    ], sheet="互访与会议")


# --------------------------------------------------------------- library
LIBRARY_HEADER = ["*入库年度", "*项目名称", "所在乡镇", "申报村", "申报单位", "*项目类别", "*建设内容", "实施单位",
                  "*计划协作资金（元）", "计划其他资金（元）", "其他资金来源", "预期效益", "联农带农机制", "监督电话", "阶段"]


def library():
    d = HERE / "library"
    table(d / "valid.xlsx", LIBRARY_HEADER, [
        [2023, "大华镇示例村道路硬化项目（示例）", "大华镇", "", "湟源县大华镇人民政府", "乡村建设", "村道硬化2公里（示例）",
         "", 500000, 100000, "县级财政衔接资金（示例）", "方便群众出行（示例）", "优先吸纳脱贫劳动力务工（示例）",
         "0971-0000000", ""],
        [2023, "示例设施农业大棚项目（示例）", "大华镇", "", "湟源县乡村振兴局", "产业发展", "新建温室大棚10座（示例）",
         "湟源县乡村振兴局", 800000, 0, "", "", "", "", "已入库"],
    ], sheet="项目库")
    table(d / "errors.xlsx", LIBRARY_HEADER, [
        [2023, "示例错误条目一（示例）", "大华镇", "", "", "乡村建设", "内容（示例）", "", 100, 0, "", "", "", "", ""],
        [2023, "示例错误条目二（示例）", "大华镇", "", "示例单位", "不存在的类别", "内容（示例）", "", -5, 0, "", "", "",
         "", ""],
    ], sheet="项目库")


# --------------------------------------------------------- agreed items
AGREED_HEADER = ["*年度", "*合作事项", "具体内容", "来源会议/互访", "*东部责任单位", "*西部责任单位", "完成时限", "状态",
                 "完成日期"]


def agreed_items():
    d = HERE / "agreed_items"
    table(d / "valid.xlsx", AGREED_HEADER, [
        [2022, "示例农产品直供基地共建（示例）", "共建直供基地两处（示例）", "六合区-湟源县2022年东西部协作联席会议",
         "南京市六合区农业农村局", "湟源县农牧和科技局", D(2022, 12, 31), "", ""],
        [2023, "示例职业教育联合招生（示例）", "", "", "南京市六合区教育局", "湟源县教育局", "", "", ""],
    ], sheet="合作事项")
    table(d / "errors.xlsx", AGREED_HEADER, [
        [2022, "示例错误事项一（示例）", "", "六合区-湟源县2022年东西部协作联席会议", "南京市六合区教育局", "湟源县教育局",
         D(2022, 6, 1), "", ""],
        [2022, "示例错误事项二（示例）", "", "示例不存在的会议（示例）", "南京市六合区教育局", "湟源县教育局", "", "", ""],
        [2022, "示例错误事项三（示例）", "", "", "", "湟源县教育局", "", "", ""],
    ], sheet="合作事项")


# -------------------------------------------------------- rectifications
RECTIFICATION_HEADER = ["*问题来源", "*问题描述", "来源文件", "*发现日期", "责任单位", "责任人", "*整改时限", "整改措施",
                        "整改成效及佐证", "状态", "销号日期"]


def rectifications():
    d = HERE / "rectifications"
    table(d / "valid.xlsx", RECTIFICATION_HEADER, [
        ["审计", "示例项目结算审核资料不全（示例）", "湟源县审计局审计报告（示例）", D(2022, 5, 10), "湟源县教育局", "王示例",
         D(2022, 8, 31), "补齐结算审核资料（示例）", "", "", ""],
        ["督查", "示例消费帮扶台账更新不及时（示例）", "市督查室通报（示例）", D(2022, 10, 8), "", "", D(2022, 11, 30), "",
         "", "", ""],
    ], sheet="问题整改")
    table(d / "errors.xlsx", RECTIFICATION_HEADER, [
        ["巡视巡察", "示例错误整改一（示例）", "", D(2022, 5, 10), "", "", D(2022, 8, 31), "", "", "", ""],
        ["审计", "示例错误整改二（示例）", "审计报告（示例）", D(2022, 5, 10), "", "", D(2022, 4, 30), "", "", "", ""],
        ["招投标预警线索", "示例错误整改三（示例）", "", D(2022, 5, 10), "", "", D(2022, 8, 31), "", "", "", ""],
    ], sheet="问题整改")


# ----------------------------------------------------------- disclosures
DISCLOSURE_HEADER = ["*项目编号", "*公示阶段", "标题", "项目名称", "建设地点", "建设内容", "协作资金（元）", "其他资金（元）",
                     "资金来源", "实施单位", "预期效益", "联农带农机制", "实施结果", "*监督电话", "*公示开始日期",
                     "*公示结束日期", "状态", "公示渠道", "反馈条数"]


def disclosures():
    d = HERE / "disclosures"
    table(d / "valid.xlsx", DISCLOSURE_HEADER, [
        ["HY-2022-10", "实施公示", "日月藏族乡乡村道路提升项目实施公示（示例）", "日月藏族乡乡村道路提升项目（示例）", "日月藏族乡",
         "乡村道路提升（示例）", 2100000, 0, "东西部协作资金", "湟源县乡村振兴局", "方便群众出行（示例）", "工资性", "",
         "0971-2432000", D(2022, 9, 1), D(2022, 9, 10), "", "", ""],
        ["HY-2022-12", "验收结果公告", "", "", "大华镇", "", 1500000, 0, "", "", "", "", "已完工验收（示例）",
         "0971-2432000", D(2022, 11, 1), D(2022, 11, 15), "", "", ""],
    ], sheet="公告公示")
    table(d / "errors.xlsx", DISCLOSURE_HEADER, [
        ["HY-2022-10", "实施公示", "", "", "", "", "", "", "", "", "", "", "", "0971-2432000", D(2022, 9, 1),
         D(2022, 9, 5), "", "", ""],
        ["HY-2099-99", "计划公告", "", "", "", "", "", "", "", "", "", "", "", "0971-2432000", D(2022, 9, 1),
         D(2022, 9, 30), "", "", ""],
        ["HY-2022-10", "入库公示", "", "", "", "", "", "", "", "", "", "", "", "0971-2432000", D(2022, 9, 1),
         D(2022, 9, 30), "", "", ""],
    ], sheet="公告公示")


# ----------------------------------------------------------- employment
EMPLOYMENT_HEADER = ["*姓名", "*身份证号", "户类型", "*就业去向", "*就业形式", "用工单位", "务工地点", "*开始日期", "结束日期",
                     "月收入（元）", "备注"]


def employment():
    d = HERE / "employment"
    table(d / "valid.xlsx", EMPLOYMENT_HEADER, [
        ["张示例（示例）", "630123199001011237", "脱贫户", "到东部/江苏", "企业务工", "南京示例电子有限公司（示例）",
         "南京市六合区", D(2022, 3, 1), D(2022, 8, 31), 4500, ""],
        ["张示例（示例）", "630123199001011237", "脱贫户", "县内就地就近", "帮扶车间", "湟源县示例帮扶车间（示例）",
         "湟源县城关镇", D(2022, 9, 15), "", 2500, ""],
        ["李示例（示例）", "630123198512032027", "一般农户", "省内其他地区", "灵活就业", "", "西宁市", D(2022, 5, 1), "",
         "", ""],
    ], sheet="就业")
    table(d / "errors.xlsx", EMPLOYMENT_HEADER, [
        ["王示例（示例）", "630123199001011230", "脱贫户", "到东部/江苏", "企业务工", "", "", D(2022, 3, 1), "", "", ""],
        ["赵示例（示例）", "630123197806153014", "一般农户", "到东部/江苏", "企业务工", "", "", D(2022, 3, 1),
         D(2022, 2, 1), "", ""],
        ["钱示例（示例）", "6301**********9999", "", "到东部/江苏", "企业务工", "", "", D(2022, 3, 1), "", "", ""],
        ["孙示例（示例）", "63012319920321004X", "", "", "企业务工", "", "", D(2022, 3, 1), "", "", ""],
    ], sheet="就业")


# --------------------------------------------------------------- talent
TALENT_HEADER = ["*姓名", "身份证号", "*类别", "*方向", "*派出单位", "*接收单位", "批次", "*开始日期", "结束日期",
                 "挂职/工作岗位", "专业方向", "工作内容"]


def talent():
    d = HERE / "talent"
    table(d / "valid.xlsx", TALENT_HEADER, [
        ["吴示例（示例）", "630123197806153014", "支医", "东→西", "南京市六合区人民医院", "湟源县人民医院",
         "2022年第1批（示例）", D(2022, 3, 1), D(2022, 8, 31), "内科医生（示例）", "医疗", "带教查房（示例）"],
        ["郑示例（示例）", "", "党政挂职干部", "东→西", "南京市六合区人民政府", "西宁市湟源县人民政府", "",
         D(2022, 4, 1), "", "挂职干部（示例）", "行政管理", ""],
    ], sheet="人才交流")
    table(d / "errors.xlsx", TALENT_HEADER, [
        ["王示例（示例）", "", "支教", "东→西", "湟源县教育局", "湟源县教育局", "", D(2022, 3, 1), "", "", "", ""],
        ["冯示例（示例）", "", "支教", "东→西", "示例不存在的学校（示例）", "湟源县教育局", "", D(2022, 3, 1), "", "", "",
         ""],
        ["陈示例（示例）", "", "", "东→西", "南京市六合区人民政府", "湟源县教育局", "", D(2022, 3, 1), "", "", "", ""],
        ["褚示例（示例）", "", "支农", "南北", "南京市六合区人民政府", "湟源县教育局", "", D(2022, 3, 1), "", "", "", ""],
    ], sheet="人才交流")


# ------------------------------------------------------------- training
TRAINING_HEADER = ["*培训班名称", "*开班日期", "*结业日期", "*培训天数", "培训类型", "工种", "培训地点", "举办单位",
                   "资金来源项目", "*姓名", "*身份证号", "取得证书", "证书名称", "培训班备注"]
HOUSEKEEPING = ["示例家政服务培训班（示例）", D(2022, 5, 9), D(2022, 5, 20), 10, "职业技能", "家政服务",
                "湟源县职业技术学校（示例）", "湟源县东西部协作办公室", "HY-2021-06", "（示例）"]
STARTUP = ["示例创业培训班（示例）", D(2022, 10, 10), D(2022, 10, 12), 3, "创业", "", "湟源县城关镇（示例）",
           "南京市六合区东西部协作办公室", "", ""]
# A class of the demo (第三期), its columns as stored: a new trainee joins it.
DEMO_THIRD = ["东西部协作劳动技术培训班（第三期）", D(2022, 9, 5), D(2022, 9, 19), 15, "职业技能", "电工",
              "湟源县大华工业园区（示例）", "湟源县东西部协作办公室", "", "班次与总人数据报道；工种、日期、地点和学员为示例。"]


def trainee(klass, name, number, certificate="否", certificate_name=""):
    return klass[:9] + [name, number, certificate, certificate_name, klass[9]]


def training():
    d = HERE / "training"
    table(d / "valid.xlsx", TRAINING_HEADER, [
        trainee(HOUSEKEEPING, "张示例（示例）", "630123199001011237", "是", "家政服务员证书（示例）"),
        trainee(HOUSEKEEPING, "李示例（示例）", "630123198512032027"),
        trainee(HOUSEKEEPING, "示例学员001", "630123197602020017", "是", "家政服务员证书（示例）"),  # registered
        trainee(STARTUP, "张示例（示例）", "630123199001011237"),  # the same new person, a second class
        trainee(STARTUP, "吴示例（示例）", "630123197806153014", "是", "创业培训合格证书（示例）"),
        trainee(DEMO_THIRD, "李示例（示例）", "630123198512032027", "是", "电工培训合格证书（示例）"),
    ], sheet="培训学员名册")
    one = ["示例错误培训班一（示例）", D(2022, 5, 9), D(2022, 5, 13), 5, "职业技能", "电工", "湟源县职业技术学校（示例）",
           "", "", ""]
    backwards = ["示例错误培训班二（示例）", D(2022, 5, 9), D(2022, 5, 1), 3] + one[4:]
    too_long = ["示例错误培训班三（示例）", D(2022, 5, 9), D(2022, 5, 10), 5] + one[4:]
    elsewhere = one[:6] + ["湟源县城关镇（示例）"] + one[7:]
    table(d / "errors.xlsx", TRAINING_HEADER, [
        trainee(one, "王示例（示例）", "630123199001011230"),
        trainee(backwards, "赵示例（示例）", "630123198806153019"),
        trainee(too_long, "钱示例（示例）", "630123199502102022"),
        trainee(one, "孙示例（示例）", "630123200001011013"),
        trainee(elsewhere, "周示例（示例）", "630123199308084019"),
        trainee(one, "孙示例（示例）", "630123200001011013"),
        trainee(one, "", "630123199308084019"),
        trainee(one, "吴示例（示例）", "630123197806153014", "否", "电工证（示例）"),
    ], sheet="培训学员名册")


# -------------------------------------------------------------- hostile
def hostile():
    d = HERE / "hostile"
    d.mkdir(parents=True, exist_ok=True)
    (d / "not_xlsx.xlsx").write_text("年度,资金类型,文号,到位日期,金额\n2022,财政援助资金,样例1号,2022-06-26,100\n",
                                     encoding="utf-8")
    (d / "old_format.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with zipfile.ZipFile(d / "word.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", "<w:document/>")
    with zipfile.ZipFile(d / "plain_zip.xlsx", "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    # A valid workbook carrying a 64 MB part of zeros that compresses to ~64 KB.
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("资金到位")
    ws.write_row(0, 0, ["年度", "资金类型", "文号", "到位日期", "金额"])
    ws.write_row(1, 0, [2022, "财政援助资金", "样例Z1号", "2022-06-26", 100])
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(d / "zip_bomb.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        zf.writestr("xl/media/image1.png", b"\0" * (64 * 1024 * 1024))
    # A macro workbook: same parts, the macro content type.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(d / "macro.xlsx", "w") as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zf.writestr(info, data)
    rows = [[2022, "财政援助资金", "", f"样例R{i}号", D(2022, 6, 26), 100, ""] for i in range(1, 301)]
    table(d / "many_rows.xlsx", FUNDS_HEADER, rows, sheet="资金到位")
    table(d / "wide.xlsx", FUNDS_HEADER + [f"附加列{i}" for i in range(1, 30)],
          [[2022, "财政援助资金", "", "样例W1号", D(2022, 6, 26), 100, ""]], sheet="资金到位")
    table(d / "long_cell.xlsx", FUNDS_HEADER, [
        [2022, "财政援助资金", "", "样例L1号", D(2022, 6, 26), 100, "长" * 6000],
    ], sheet="资金到位")


def main():
    funds()
    projects()
    disbursements()
    tenders()
    sales()
    reference()
    donations()
    enterprises()
    investment_arrivals()
    visits()
    agreed_items()
    library()
    rectifications()
    disclosures()
    employment()
    talent()
    training()
    hostile()
    print(f"samples written under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
