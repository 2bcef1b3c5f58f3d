import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.models import HeaderMapping


def fail(*args):
    """Run a command expected to fail; return its message and stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(info.value), err.getvalue()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_again_exits_non_zero(county, samples):
    path = str(samples / "funds" / "valid.xlsx")
    out, _ = run("import_ledger", "funds", path, "--pairing", str(county.pk), "--user", "liuhe")
    assert "已导入：资金到位台账：新增3条，更新0条，未变0条，已存在跳过0条，错误0处" in out
    assert "已处理 3/3 行" in out
    assert AuditEvent.objects.first().actor_name == "liuhe"
    with pytest.raises(CommandError, match="没有新增或更新任何记录"):
        run("import_ledger", "funds", path, "--pairing", str(county.pk), "--user", "liuhe")
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3


def test_dry_run_writes_nothing(county, samples):
    out, _ = run("import_ledger", "projects", str(samples / "projects" / "valid.xlsx"), "--pairing",
                 str(county.pk), "--dry-run")
    assert "预览（未写入）：项目台账：新增3条" in out
    assert not county.projects.filter(code__startswith="YL-").exists()


def test_errors_are_all_printed_and_exit_non_zero(county, samples):
    err = io.StringIO()
    with pytest.raises(CommandError, match="有错误，未导入任何记录"):
        call_command("import_ledger", "funds", str(samples / "funds" / "errors.xlsx"), "--pairing", str(county.pk),
                     stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 8 and lines[0].startswith("错误：工作表“资金到位”第2行“资金类型”列")


def test_default_actor_is_the_system_import_user(county, samples):
    run("import_ledger", "funds", str(samples / "funds" / "valid.xlsx"), "--pairing", str(county.pk))
    event = AuditEvent.objects.first()
    assert (event.actor_name, event.action) == ("system-import", "import")


@pytest.mark.parametrize("user,message", [
    ("lingdao", "您无权导入结对"),
    ("outsider", "不存在或无权访问"),
    ("nobody", "用户“nobody”不存在或已停用"),
])
def test_scope_is_enforced(county, samples, user, message):
    with pytest.raises(CommandError, match=message):
        run("import_ledger", "funds", str(samples / "funds" / "valid.xlsx"), "--pairing", str(county.pk),
            "--user", user)
    assert not FundReceipt.objects.filter(doc_number__startswith="样例").exists()


def test_map_option_is_remembered(county, tmp_path):
    path = tmp_path / "own.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("我们的表")
    ws.write_row(0, 0, ["年度", "资金类型", "文号", "到位日期", "援助款（万元）"])
    ws.write_row(1, 0, [2022, "财政援助资金", "样例MAP1号", "2022-06-26", 12])
    wb.close()
    _, err = fail("import_ledger", "funds", str(path), "--pairing", str(county.pk))
    assert "错误：工作表“我们的表”：缺少必填列“金额”" in err
    with pytest.raises(CommandError, match="没有字段“money”"):
        run("import_ledger", "funds", str(path), "--pairing", str(county.pk), "--map", "援助款=money")
    run("import_ledger", "funds", str(path), "--pairing", str(county.pk), "--map", "援助款（万元）=amount")
    assert FundReceipt.objects.get(doc_number="样例MAP1号").amount == Decimal("120000.00")
    assert HeaderMapping.objects.filter(pairing=county, ledger="funds", header="援助款", field="amount").exists()
    FundReceipt.objects.filter(doc_number="样例MAP1号").delete()
    run("import_ledger", "funds", str(path), "--pairing", str(county.pk))  # remembered: no --map needed
    assert FundReceipt.objects.filter(doc_number="样例MAP1号").exists()


def test_export_command_and_formula_injection(county, tmp_path):
    FundReceipt.objects.create(pairing=county, year=2022, kind="fiscal", doc_number="=HYPERLINK(\"http://x\")",
                               date="2022-06-26", amount=Decimal("100.00"), note="@SUM(1)")
    out_file = tmp_path / "funds.xlsx"
    out, _ = run("export_ledger", "funds", "--pairing", str(county.pk), "--out", str(out_file), "--user", "lingdao")
    assert "已导出资金到位台账" in out
    wb = openpyxl.load_workbook(out_file)
    ws = wb["资金到位"]
    headers = [str(c.value) for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("备注")].value == "@SUM(1)")
    doc = row[headers.index("文号")]
    note = row[headers.index("备注")]
    assert (doc.value, doc.data_type, doc.quotePrefix) == ("=HYPERLINK(\"http://x\")", "s", True)
    assert (note.value, note.data_type, note.quotePrefix) == ("@SUM(1)", "s", True)
    assert "填写说明" in wb.sheetnames


def test_export_refused_outside_scope(county, tmp_path):
    with pytest.raises(CommandError, match="不存在或无权访问"):
        run("export_ledger", "funds", "--pairing", str(county.pk), "--out", str(tmp_path / "x.xlsx"),
            "--user", "outsider")
    assert not (tmp_path / "x.xlsx").exists()


def test_template_has_dropdowns_example_and_instructions(county, tmp_path):
    path = tmp_path / "t.xlsx"
    run("export_ledger", "projects", "--pairing", str(county.pk), "--out", str(path), "--template")
    wb = openpyxl.load_workbook(path)
    ws = wb["项目"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["*项目编号", "*项目名称", "*年度", "*项目类别"] and "实施村" in headers
    assert ws.cell(row=2, column=1).value == "YL" or ws.cell(row=2, column=2).value.endswith("（示例）")
    sources = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    status_col = openpyxl.utils.get_column_letter(headers.index("*状态") + 1)
    assert f"{status_col}2" in sources and "代码表" in sources[f"{status_col}2"]
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    column_values = {codes.cell(row=1, column=c).value: [codes.cell(row=r, column=c).value for r in range(2, 10)]
                     for c in range(1, codes.max_column + 1)}
    assert column_values["状态"] == ["储备", "立项", "招标采购", "实施", "完工", "验收", "资产移交", "终止"]
    help_rows = [[c.value for c in r] for r in wb["填写说明"].iter_rows()]
    row = next(r for r in help_rows if r[0] == "协作资金（元）")
    assert row[1] == "是" and "东西部协作资金" in row[3] and "万元" in row[2]


def test_disbursements_need_the_west_office(county, samples):
    path = str(samples / "disbursements" / "valid.xlsx")
    message, _ = fail("import_ledger", "disbursements", path, "--pairing", str(county.pk), "--user", "liuhe")
    assert message == f"您无权导入结对{county.pk}的台账"
    out, _ = run("import_ledger", "disbursements", path, "--pairing", str(county.pk), "--user", "huangyuan")
    assert "新增3条" in out
