"""The checked-in samples: what is read from real office files, the exact
messages for broken ones, and that nothing is written when anything is wrong."""

import datetime
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from xiezuo.audit.models import AuditEvent, verify_chain
from xiezuo.funds.models import Disbursement, FundReceipt, Project
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.writing import write_ledger

from .parts import read_parts, write_parts

D = datetime.date


def counts():
    return (FundReceipt.objects.count(), Project.objects.count(), Disbursement.objects.count(),
            AuditEvent.objects.count())


def messages(result):
    return [str(e) for e in result.errors]


def test_valid_funds_are_imported_with_one_audit_event_per_batch(ctx_for, samples, county):
    spec, ctx = ctx_for("funds")
    before = AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "funds" / "valid.xlsx", commit=True)
    assert messages(result) == [] and result.committed
    rows = {r.doc_number: r for r in FundReceipt.objects.filter(pairing=county, doc_number__startswith="样例")}
    assert set(rows) == {"样例〔2022〕1号", "样例〔2022〕2号", "样例〔2021〕9号"}
    first = rows["样例〔2022〕1号"]
    assert (first.year, first.kind, first.payer.name, first.date, first.amount, first.note) == (
        2022, "fiscal", "南京市六合区人民政府", D(2022, 6, 26), Decimal("30000000.00"), "（示例）")
    assert rows["样例〔2021〕9号"].amount == Decimal("500000.50")
    assert rows["样例〔2021〕9号"].payer is None
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.model, event.pairing_id) == ("import", "funds.FundReceipt", county.pk)
    ids = sorted(r.pk for r in rows.values())
    assert event.after["ids"] == [[ids[0], ids[-1]]] and event.after["count"] == 3
    assert event.after["rows"] == [2, 4] and len(event.after["sha256"]) == 64
    assert verify_chain()[2] == ""


def test_same_file_twice_adds_nothing(ctx_for, samples):
    spec, ctx = ctx_for("funds")
    run_import(spec, ctx, samples / "funds" / "valid.xlsx", commit=True)
    n = counts()
    for mode in ("append", "update"):
        again = run_import(spec, ctx, samples / "funds" / "valid.xlsx", commit=True, mode=mode)
        assert (again.added, again.updated) == (0, 0)
        assert (again.skipped, again.unchanged) == ((3, 0) if mode == "append" else (0, 3))
    assert counts() == n


def test_tolerant_funds_file(ctx_for, samples, county):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, samples / "funds" / "tolerant.xlsx", commit=True)
    assert messages(result) == [] and result.unknown_headers == []
    got = {r.doc_number: (r.kind, r.year, r.date, r.amount)
           for r in FundReceipt.objects.filter(doc_number__startswith="样例〔2022〕1", pairing=county)}
    day = D(2022, 6, 26)
    assert got == {
        "样例〔2022〕11号": ("fiscal", 2022, day, Decimal("43000000.00")),  # 4,300 in a 万元 column
        "样例〔2022〕12号": ("social", 2022, day, Decimal("168000000.00")),  # 1.68亿: the cell's unit wins
        "样例〔2022〕13号": ("in_kind", 2022, day, Decimal("43000000.00")),  # 肆仟叁佰万元整
        "样例〔2022〕14号": ("pairing", 2022, day, Decimal("4200000.00")),  # number stored as text
        "样例〔2022〕15号": ("fiscal", 2022, day, Decimal("125000.00")),  # full-width digits, Excel serial date
        # A formula's cached value (300) is used; evaluating =100+100 would give 200.
        "样例〔2022〕16号": ("fiscal", 2022, day, Decimal("3000000.00")),
    }
    assert FundReceipt.objects.get(doc_number="样例〔2022〕11号").payer.name == "南京市六合区人民政府"


def test_tolerant_projects_file(ctx_for, samples, county):
    spec, ctx = ctx_for("projects")
    result = run_import(spec, ctx, samples / "projects" / "tolerant.xlsx", commit=True)
    assert messages(result) == []
    one = Project.objects.get(pairing=county, code="YL-T-01")
    assert (one.name, one.year, one.category.name, one.township.name, one.implementing_unit.name) == (
        "示例项目一", 2022, "教育", "大华镇", "湟源县教育局")
    assert (one.coop_funds, one.other_funds, one.actual_start, one.status, one.linkage, one.description) == (
        Decimal("3000000.00"), Decimal("0.00"), D(2022, 4, 10), "implementing", "wage", "围墙180米")
    two = Project.objects.get(pairing=county, code="YL-T-02")
    assert (two.category.code, two.coop_funds, two.other_funds, two.actual_start, two.actual_finish,
            two.status, two.linkage) == ("health", Decimal("2805000.00"), Decimal("10000000.00"), D(2022, 4, 1),
                                         D(2022, 11, 30), "completed", "asset,business")


def test_valid_projects(ctx_for, samples, county):
    spec, ctx = ctx_for("projects")
    result = run_import(spec, ctx, samples / "projects" / "valid.xlsx", commit=True)
    assert result.added == 3 and result.committed
    icu = Project.objects.get(pairing=county, code="YL-2021-03")
    assert (icu.category.name, icu.township.name, icu.status, icu.linkage, icu.actual_finish) == (
        "医疗卫生", "城关镇", "accepted", "asset,business", D(2021, 11, 30))


FUNDS_ERRORS = [
    "工作表“资金到位”第2行“资金类型”列（值为“财政”）：不是有效的选项，应为：财政援助资金、社会帮扶资金、结对帮扶资金、捐物折款",
    "工作表“资金到位”第2行“到位日期”列（值为“2022年13月1日”）：日期“2022年13月1日”不存在",
    "工作表“资金到位”第2行“金额（元）”列（值为“abc”）：金额“abc”无法识别，请填写数字，如4300万元或43000000",
    "工作表“资金到位”第3行“年度”列（值为“二〇二二”）：年度应为2000至2100之间的四位数字，如2022",
    "工作表“资金到位”第3行“拨付单位”列（值为“不存在的单位（示例）”）：找不到单位“不存在的单位（示例）”，请先在系统中登记或检查名称",
    "工作表“资金到位”第3行“金额（元）”列（值为“-5”）：金额应大于0",
    "工作表“资金到位”第4行“到位日期”列（值为空）：必填，不能为空",
    "工作表“资金到位”第6行“到位日期、资金类型、文号”列（值为“2022-06-26、财政援助资金、样例E4号”）：与第5行重复（到位日期、资金类型、文号相同）",
]

PROJECT_ERRORS = [
    "工作表“项目”第2行“项目类别”列（值为“不存在的类别”）：找不到项目类别“不存在的类别”，请先在系统中登记或检查名称",
    "工作表“项目”第2行“状态”列（值为“在建中”）：不是有效的选项，应为：储备、立项、招标采购、实施、完工、验收、资产移交、终止",
    "工作表“项目”第3行“计划完工”列（值为“2022-04-01”）：计划完工日期不能早于计划开工日期",
    "工作表“项目”第3行“终止原因”列（值为空）：终止项目须填写终止原因",
    "工作表“项目”第4行“联农带农方式”列（值为“分红”）：“分红”不是有效的选项，应为：工资性、资产性、经营性（可多选，以顿号分隔）",
]


DISBURSEMENT_ERRORS = [
    "工作表“资金拨付”第2行“项目编号”列（值为“HY-2099-99”）：找不到项目“HY-2099-99”，请先在系统中登记或检查名称",
    "工作表“资金拨付”第3行“金额（元）”列（值为“0”）：金额应大于0",
    "工作表“资金拨付”第3行“用途”列（值为空）：必填，不能为空",
    "工作表“资金拨付”第4行“拨付日期”列（值为“2099-01-01”）：拨付日期不能晚于今天",
]


@pytest.mark.parametrize("ledger,expected", [("funds", FUNDS_ERRORS), ("projects", PROJECT_ERRORS),
                                             ("disbursements", DISBURSEMENT_ERRORS)])
def test_errors_all_at_once_and_nothing_written(ctx_for, samples, ledger, expected):
    spec, ctx = ctx_for(ledger)
    n = counts()
    result = run_import(spec, ctx, samples / ledger / "errors.xlsx", commit=True)
    assert messages(result) == expected
    assert not result.committed and counts() == n


@pytest.mark.parametrize("ledger,expected", [
    ("funds", "工作表“资金到位”：缺少必填列“到位日期”（可用的表头：到位日期、日期、拨付日期、到账日期、资金到位日期）"),
    ("projects", "工作表“项目”：缺少必填列“项目名称”（可用的表头：项目名称、名称、项目）"),
    ("disbursements", "工作表“资金拨付”：缺少必填列“用途”（可用的表头：用途、资金用途、摘要、支出内容）"),
])
def test_missing_required_column(ctx_for, samples, ledger, expected):
    spec, ctx = ctx_for(ledger)
    n = counts()
    result = run_import(spec, ctx, samples / ledger / "missing_column.xlsx", commit=True)
    assert messages(result) == [expected] and counts() == n


HOSTILE = {
    "not_xlsx.xlsx": "文件“not_xlsx.xlsx”不是Excel工作簿（.xlsx），无法导入。请使用系统提供的模板或在Excel中另存为.xlsx。",
    "old_format.xlsx": "文件“old_format.xlsx”是旧版Excel（.xls）文件，但无法读取（文件已损坏、已加密，或内容超出可处理的范围），"
                       "请在Excel或WPS中另存为.xlsx后再导入。",
    "word.xlsx": "文件“word.xlsx”不是Excel工作簿（.xlsx）（可能是Word、PowerPoint或其他压缩文件）。",
    "plain_zip.xlsx": "文件“plain_zip.xlsx”不是Excel工作簿（.xlsx）：缺少[Content_Types].xml。",
    "macro.xlsx": "文件“macro.xlsx”是启用宏的工作簿（.xlsm），为安全起见不予导入，请另存为.xlsx。",
    "zip_bomb.xlsx": "文件“zip_bomb.xlsx”的压缩比异常（xl/media/image1.png解压后64 MB，压缩后仅64 KB），疑似压缩炸弹，已拒绝。",
    "many_rows.xlsx": "工作表“资金到位”有301行，超过上限100行，请拆分后导入。",
    "wide.xlsx": "工作表“资金到位”的单元格U1超出允许范围（最多20列、100行），请删除多余内容或拆分后导入。",
    "long_cell.xlsx": "工作表“资金到位”第2行“备注”列（值为“长长长长长长长长长长长长长长长长长长长长”）：单元格内容过长：6000个字，上限5000个字",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_refused_and_nothing_written(ctx_for, samples, settings, name):
    settings.XIEZUO_LEDGER_LIMITS = {"max_rows": 100, "max_columns": 20}
    spec, ctx = ctx_for("funds")
    n = counts()
    result = run_import(spec, ctx, samples / "hostile" / name, commit=True)
    assert messages(result) == [HOSTILE[name]]
    assert not result.committed and counts() == n


def test_file_and_sheet_byte_limits(ctx_for, samples, settings):
    spec, ctx = ctx_for("funds")
    path = samples / "funds" / "valid.xlsx"
    settings.XIEZUO_LEDGER_LIMITS = {"max_file_bytes": 1024}
    assert messages(run_import(spec, ctx, path, commit=True)) == [
        "文件“valid.xlsx”过大：6 KB，上限为1 KB。请按年度拆分后分别导入。"]
    settings.XIEZUO_LEDGER_LIMITS = {"max_sheet_bytes": 1024}
    [message] = messages(run_import(spec, ctx, path, commit=True))
    assert message.startswith("文件“valid.xlsx”中的工作表过大（解压后") and message.endswith("上限1 KB），请拆分后导入。")
    settings.XIEZUO_LEDGER_LIMITS = {"max_unzipped_bytes": 1024}
    [message] = messages(run_import(spec, ctx, path, commit=True))
    assert message.startswith("文件“valid.xlsx”解压后过大（")
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 0


def test_preview_writes_nothing(ctx_for, samples):
    spec, ctx = ctx_for("projects")
    n = counts()
    result = run_import(spec, ctx, samples / "projects" / "valid.xlsx", commit=False)
    assert (result.added, result.committed) == (3, False)
    assert [r["row"] for r in result.sample_add] == [2, 3, 4]
    assert counts() == n


SLICED = {"slice_above_bytes": 0, "slice_bytes": 300}


@pytest.mark.parametrize("relative", ["funds/tolerant.xlsx", "funds/errors.xlsx", "funds/offset.xlsx",
                                      "projects/tolerant.xlsx", "projects/errors.xlsx"])
def test_sliced_reading_gives_the_same_result(ctx_for, samples, settings, relative):
    ledger = relative.split("/")[0]
    spec, ctx = ctx_for(ledger)
    whole = run_import(spec, ctx, samples / relative, commit=False).as_dict()
    settings.XIEZUO_LEDGER_LIMITS = SLICED
    sliced = run_import(spec, ctx, samples / relative, commit=False).as_dict()
    assert sliced == whole and (whole["added"] or whole["errors"])


def test_offset_table_rows_are_numbered_as_excel_shows_them(ctx_for, samples):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, samples / "funds" / "offset.xlsx", commit=False)
    assert result.added == 2 and [r["row"] for r in result.sample_add] == [5, 8]
    assert messages(result) == [
        "工作表“资金到位”第41行“金额（元）”列（值为“x”）：金额“x”无法识别，请填写数字，如4300万元或43000000"]


def test_projects_above_receipts_are_refused_whole(ctx_for, samples, settings):
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = False
    spec, ctx = ctx_for("projects")
    n = counts()
    for commit in (False, True):
        result = run_import(spec, ctx, samples / "projects" / "valid.xlsx", commit=commit)
        [message] = messages(result)
        assert message.startswith("2021年已安排到项目的协作资金") and message.endswith("请先登记资金到位，或调减项目协作资金。")
        assert not result.committed and counts() == n


def test_projects_above_receipts_warn_with_carryover(ctx_for, samples):
    spec, ctx = ctx_for("projects")
    result = run_import(spec, ctx, samples / "projects" / "valid.xlsx", commit=True)
    assert result.committed and result.added == 3
    assert any(n.startswith("2022年已安排到项目的协作资金") and "结转资金" in n for n in result.notices)


def test_disbursements_enter_the_approval_as_submitted(ctx_for, samples, users, tmp_path):
    spec, ctx = ctx_for("disbursements", "huangyuan")
    result = run_import(spec, ctx, samples / "disbursements" / "tolerant.xlsx", commit=True)
    assert messages(result) == [] and result.added == 2
    rows = {d.voucher_number: d for d in Disbursement.objects.filter(voucher_number__startswith="样例拨付-T")}
    one, two = rows["样例拨付-T1"], rows["样例拨付-T2"]
    assert (one.project.code, one.date, one.amount, one.purpose) == (
        "HY-2022-07", D(2022, 8, 1), Decimal("1000000.00"), "进度款（示例）")
    assert (two.project.code, two.amount) == ("HY-2022-12", Decimal("300000.00"))
    assert {d.status for d in rows.values()} == {"submitted"}
    assert {d.submitted_by for d in rows.values()} == {users["huangyuan"]}
    # The east office confirms as usual; a confirmed one is never changed by an import.
    one.confirm(users["liuhe"])
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["资金拨付"]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("凭证号")].value == "样例拨付-T1")
    assert row[headers.index("状态")].value == "已确认"
    row[headers.index("*用途")].value = "改掉已确认的拨付"
    wb.save(out)
    n = counts()
    result = run_import(spec, ctx, out, mode="update", commit=True)
    [message] = messages(result)
    assert message.endswith("“状态”列（值为空）：该拨付已确认，不能通过导入修改")
    assert counts() == n and Disbursement.objects.get(pk=one.pk).purpose == "进度款（示例）"


def test_valid_disbursements_status_column_is_ignored(ctx_for, samples):
    spec, ctx = ctx_for("disbursements", "huangyuan")
    result = run_import(spec, ctx, samples / "disbursements" / "valid.xlsx", commit=True)
    assert result.added == 3
    assert Disbursement.objects.get(voucher_number="样例拨付-003").status == "submitted"


def test_same_name_in_two_regions_needs_the_region(ctx_for, county, tmp_path):
    import xlsxwriter

    path = tmp_path / "p.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("项目")
    ws.write_row(0, 0, ["项目编号", "项目名称", "年度", "项目类别", "实施单位", "协作资金", "状态"])
    ws.write_row(1, 0, ["YL-A-1", "示例一", 2022, "教育", "湟源县大华镇人民政府", 0, "储备"])
    ws.write_row(2, 0, ["YL-A-2", "示例二", 2022, "教育", "湟源县大华镇人民政府（大华镇）", 0, "储备"])
    wb.close()
    spec, ctx = ctx_for("projects")
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == ["工作表“项目”第2行“实施单位”列（值为“湟源县大华镇人民政府”）："
                                "有多个单位名为“湟源县大华镇人民政府”，请写成“湟源县大华镇人民政府（所在区划）”"]
    path2 = tmp_path / "p2.xlsx"
    wb = xlsxwriter.Workbook(path2)
    ws = wb.add_worksheet("项目")
    ws.write_row(0, 0, ["项目编号", "项目名称", "年度", "项目类别", "实施单位", "协作资金", "状态"])
    ws.write_row(1, 0, ["YL-A-2", "示例二", 2022, "教育", "湟源县大华镇人民政府（大华镇）", 0, "储备"])
    wb.close()
    result = run_import(spec, ctx, path2, commit=True)
    assert messages(result) == [] and Project.objects.get(code="YL-A-2").implementing_unit.region.name == "大华镇"


def test_truncated_sheet_is_refused_when_sliced(ctx_for, samples, settings, tmp_path):
    """A sheet whose XML stops inside a row (a damaged or crafted file) is
    refused with a message, not read for ever."""
    spec, ctx = ctx_for("funds")
    parts, sheet = read_parts(samples / "funds" / "valid.xlsx")
    xml = parts[sheet]
    parts[sheet] = xml[:xml.rindex(b"<row ") + 20]  # cut inside the last row
    damaged = tmp_path / "damaged.xlsx"
    write_parts(parts, damaged)
    settings.XIEZUO_LEDGER_LIMITS = SLICED
    count = FundReceipt.objects.count()
    result = run_import(spec, ctx, damaged, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“资金到位”的内容不完整或单行过长（文件可能已损坏），请在Excel中打开后另存为.xlsx再导入。"]
    assert FundReceipt.objects.count() == count


def damage(parts, sheet, how, path):
    """Write `parts` as a workbook at `path` with the sheet part damaged `how`."""
    xml = parts[sheet]
    stored = how == "stored, a digit changed"
    info = write_parts(parts, path, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)[sheet]
    data = bytearray(path.read_bytes())
    if stored:
        # The XML stays well-formed: only the checksum can tell.
        at = data.index(xml) + xml.rindex(b"<v>") + 3
        data[at] = ord("1") if data[at] != ord("1") else ord("2")
    elif how == "deflated, bytes garbled":
        # zipfile writes no extra field: the data follow the 30-byte header and the name.
        start = info.header_offset + 30 + len(sheet.encode()) + info.compress_size // 2
        data[start:start + 16] = b"\xff" * 16
    else:  # the directory declares fewer bytes than the part inflates to
        size, smaller = len(xml).to_bytes(4, "little"), (len(xml) - 100).to_bytes(4, "little")
        entry = data.index(sheet.encode(), data.index(b"PK\x01\x02")) - 46  # its central directory entry
        assert data[entry + 24:entry + 28] == size == data[info.header_offset + 22:info.header_offset + 26]
        data[entry + 24:entry + 28] = data[info.header_offset + 22:info.header_offset + 26] = smaller
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["stored, a digit changed", "deflated, bytes garbled", "declared size too small"])
def test_a_damaged_sheet_part_is_refused_when_sliced(ctx_for, samples, settings, tmp_path, how):
    """The big-sheet reader inflates the part itself: a checksum that does
    not match, deflate data that is not, or a part bigger than the directory
    says is refused with a message and nothing is written."""
    spec, ctx = ctx_for("funds")
    parts, sheet = read_parts(samples / "funds" / "valid.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    damage(parts, sheet, how, damaged)
    settings.XIEZUO_LEDGER_LIMITS = SLICED
    count = FundReceipt.objects.count()
    result = run_import(spec, ctx, damaged, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“资金到位”的数据已损坏（压缩数据校验失败），请在Excel中打开后另存为.xlsx再导入。"]
    assert FundReceipt.objects.count() == count and not result.committed


def test_a_part_bigger_than_declared_is_cut_off_at_its_declared_size(samples, tmp_path, monkeypatch):
    """However well a part compresses, the reader never yields more bytes
    than the directory declares (so memory is bounded by the size limits
    checked before), and refuses the part when it goes on."""
    from xiezuo.ledgers import chunks
    from xiezuo.ledgers.safety import LedgerFileError

    parts, sheet = read_parts(samples / "funds" / "valid.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    damage(parts, sheet, "declared size too small", damaged)
    monkeypatch.setattr(chunks, "READ_BLOCK", 64)
    reader = chunks.ChunkedSheet(damaged, "资金到位", 300)
    read = []
    with pytest.raises(LedgerFileError, match="数据已损坏"):
        for block in reader._part_blocks():
            read.append(block)
    reader.close()
    assert sum(map(len, read)) <= len(parts[sheet]) - 100 and b"".join(read) == parts[sheet][:len(b"".join(read))]
