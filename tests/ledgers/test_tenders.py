"""招标采购台账: one row per bid with the process's columns repeated, saved
through the tracked models, findings recomputed once per import."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from xiezuo.accounts.models import User
from xiezuo.audit.models import AuditEvent
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.models import ImportJob
from xiezuo.ledgers.spec import Context, get_spec
from xiezuo.ledgers.writing import write_ledger
from xiezuo.procurement import services
from xiezuo.procurement.models import Bid, Finding, Tender

D = datetime.date
ROAD = "样例ZB-2023-001"
VINEGAR = "陈醋灌装设备采购（示例）"
WINNER, SECOND, LOWEST = "青海示例路桥建设有限公司（示例）", "西宁示例公路工程有限公司（示例）", "海东示例交通建设有限公司（示例）"
PHONES = ["13907170001", "09716123456", "13907170003"]
# As stored (lib.pii.normalize_phone): a landline gets its dash after the area code.
STORED_PHONES = ["13907170001", "0971-6123456", "13907170003"]
ACCOUNTS = ["6222000000007001", "6222000000007002", "6222000000007003"]


def counts():
    return Tender.objects.count(), Bid.objects.count(), Finding.objects.count(), AuditEvent.objects.count()


def messages(result):
    return [str(e) for e in result.errors]


def sample_processes():
    return Tender.objects.filter(title__in=[VINEGAR, "日月藏族乡乡村道路提升工程施工（示例）"])


@pytest.fixture
def seeded(ctx_for, samples):
    spec, ctx = ctx_for("tenders")
    result = run_import(spec, ctx, samples / "tenders" / "valid.xlsx", commit=True)
    assert messages(result) == [] and result.committed
    return spec, ctx, result


def test_valid_import_creates_processes_and_bids(ctx_for, samples, county, monkeypatch):
    calls = []
    recompute = services.recompute
    monkeypatch.setattr(services, "recompute", lambda ids: calls.append(set(ids)) or recompute(ids))
    spec, ctx = ctx_for("tenders")
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, samples / "tenders" / "valid.xlsx", commit=True)
    assert messages(result) == [] and result.committed
    assert (result.added, result.updated) == (4, 0)

    road, vinegar = Tender.objects.get(code=ROAD), Tender.objects.get(title=VINEGAR)
    assert result.created_ids == [vinegar.pk, road.pk, road.pk, road.pk]
    assert (vinegar.pairing, vinegar.project.code, vinegar.code, vinegar.year, vinegar.item_kind, vinegar.method,
            vinegar.estimated_value, vinegar.buyer.name, vinegar.agent, vinegar.notice_date, vinegar.winning_bid,
            vinegar.award_supplier, vinegar.award_value, vinegar.version) == (
        county, "HY-2022-08", "", 2023, "goods", "rfq", Decimal("450000.00"), "湟源县示例农牧业开发有限公司（示例）", "",
        D(2023, 6, 1), None, "", None, 1)
    assert not vinegar.bids.exists()
    assert (road.pairing, road.project.code, road.title, road.item_kind, road.method, road.estimated_value,
            road.buyer.name, road.agent) == (
        county, "HY-2022-10", "日月藏族乡乡村道路提升工程施工（示例）", "works", "open", Decimal("2800000.00"),
        "湟源县乡村振兴局", "青海示例招标代理有限公司（示例）")
    assert [getattr(road, name) for name, _ in Tender.DATE_FIELDS] == [
        D(2023, 4, 3), D(2023, 4, 3), D(2023, 4, 18), D(2023, 4, 18), D(2023, 4, 20), D(2023, 4, 21),
        D(2023, 4, 24), D(2023, 4, 28), D(2023, 5, 8)]
    assert (road.contract_number, road.contract_value, road.award_value) == (
        "样例HT-2023-001", Decimal("2650000.00"), Decimal("2650000.00"))
    # 是否中标 = 是 made the bid the winner; the award follows it.
    assert road.winning_bid.supplier_name == WINNER
    assert (road.award_supplier, road.award_supplier_uscc) == (WINNER, "91630123MA7EYT001H")
    bids = [(b.supplier_name, b.supplier_uscc, b.legal_rep, b.contact_phone, b.project_manager, b.bond_account,
             b.price, b.valid, b.disqualification_reason) for b in road.bids.order_by("pk")]
    assert bids == [
        (WINNER, "91630123MA7EYT001H", "王示例（示例）", STORED_PHONES[0], "李示例（示例）", "6222000000007001",
         Decimal("2650000.00"), True, ""),
        (SECOND, "91630123MA7EYT002L", "赵示例（示例）", STORED_PHONES[1], "钱示例（示例）", "6222000000007002",
         Decimal("2710000.00"), True, ""),
        (LOWEST, "91630123MA7EYT003P", "孙示例（示例）", STORED_PHONES[2], "周示例（示例）", "6222000000007003",
         Decimal("2590000.00"), False, "投标保证金未按时到账（示例）"),
    ]

    # Findings: computed once, for both processes, in the import.
    assert calls == [{vinegar.pk, road.pk}]
    assert sorted(road.findings.filter(active=True).values_list("rule_code", "severity")) == [
        ("BID_PERIOD", "high"), ("R036_LOWEST_DISQUALIFIED", "medium")]
    assert not vinegar.findings.exists()
    assert result.notices == ["2个招标采购事项的预警线索随本次导入按规则重新计算。"]

    # Each save is its own tracked event (no batch event on top); phones and accounts masked there.
    events = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))
    assert [(e.action, e.model) for e in events] == (
        [("create", "procurement.Tender")] * 2 + [("create", "procurement.Bid"), ("update", "procurement.Tender")]
        + [("create", "procurement.Bid")] * 2 + [("create", "procurement.Finding")] * 2)
    assert {e.actor_name for e in events} == {"liuhe"}
    for event in events:
        assert not any(p in str(event.before) + str(event.after) for p in PHONES + STORED_PHONES + ACCOUNTS)
    assert [e.after["bond_account_masked"] for e in events if e.model == "procurement.Bid"] == [
        "6222********7001", "6222********7002", "6222********7003"]


def test_same_file_twice_adds_nothing(seeded, samples):
    spec, ctx, _ = seeded
    n = counts()
    for mode in ("append", "update"):
        again = run_import(spec, ctx, samples / "tenders" / "valid.xlsx", commit=True, mode=mode)
        assert messages(again) == []
        assert (again.added, again.updated) == (0, 0)
        assert (again.skipped, again.unchanged) == ((4, 0) if mode == "append" else (0, 4))
    assert counts() == n


ERRORS = [
    "工作表“招标采购”第2行“项目编号”列（值为“HY-2099-99”）：找不到项目“HY-2099-99”，请先在系统中登记或检查名称",
    "工作表“招标采购”第3行“统一社会信用代码”列（值为“91630123MA7EYT001A”）：统一社会信用代码校验位错误：应为“H”，实际为“A”",
    "工作表“招标采购”第4行“投标报价（元）”列（值为“-5”）：金额应大于0",
    "工作表“招标采购”第5行“投标报价（元）”列（值为“abc”）：金额“abc”无法识别，请填写数字，如4300万元或43000000",
    "工作表“招标采购”第7行“采购方式”列（值为“邀请招标”）：与本文件中同一采购事项前面的行不一致（前面的行为“公开招标”），"
    "同一采购事项各行的采购信息应相同",
    "工作表“招标采购”第8行“采购编号、采购事项名称、年度、投标人”列（值为“样例E-05、错误示例五（示例）、2023、示例投标人丙（示例）”）："
    "与第6行重复（采购编号、采购事项名称、年度、投标人相同）",
    "工作表“招标采购”第9行“招标文件发出日期”列（值为“2023-05-01”）：招标文件发出日期不能早于公告发布日期",
    "工作表“招标采购”第10行“否决理由”列（值为空）：被否决的投标须填写否决理由",
    "工作表“招标采购”第11行“有效投标”列（值为“否”）：被否决的投标不能中标",
]


@pytest.mark.parametrize("commit", [False, True])
def test_errors_all_at_once_and_nothing_written(ctx_for, samples, commit):
    spec, ctx = ctx_for("tenders")
    n = counts()
    result = run_import(spec, ctx, samples / "tenders" / "errors.xlsx", commit=commit)
    assert messages(result) == ERRORS
    assert not result.committed and counts() == n
    assert not Tender.objects.filter(code__startswith="样例E-").exists()


def export(spec, ctx, path):
    write_ledger(spec, ctx, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.sheet]
    titles = [str(c.value).lstrip("*") for c in ws[1]]
    return wb, ws, titles


def row_of(ws, titles, supplier):
    return next(r for r in ws.iter_rows(min_row=2) if r[titles.index("投标人")].value == supplier)


def test_export_masks_the_phone_and_the_account_and_has_one_row_per_bid(seeded, tmp_path):
    spec, ctx, _ = seeded
    wb, ws, titles = export(spec, ctx, tmp_path / "out.xlsx")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # A row per bid, and one for each process without bids: the ledger's queryset.
    assert len(rows) == Bid.objects.filter(tender__pairing=ctx.pairing).count() + Tender.objects.filter(
        pairing=ctx.pairing, bids=None).count() == spec.queryset(ctx).count()
    phone = titles.index("联系电话")
    assert [row_of(ws, titles, s)[phone].value for s in (WINNER, SECOND, LOWEST)] == [
        "139****0001", "097*****3456", "139****0003"]
    account = titles.index("保证金转出账户")
    assert [row_of(ws, titles, s)[account].value for s in (WINNER, SECOND, LOWEST)] == [
        "6222********7001", "6222********7002", "6222********7003"]
    text = str([[c.value for c in r] for sheet in wb for r in sheet.iter_rows()])
    assert not any(p in text for p in PHONES + ACCOUNTS)
    vinegar = next(r for r in rows if r[titles.index("采购事项名称")] == VINEGAR)
    assert vinegar[titles.index("投标人"):] == (None,) * 10
    won = titles.index("是否中标")
    assert [row_of(ws, titles, s)[won].value for s in (WINNER, SECOND, LOWEST)] == ["是", "否", "否"]


def edit(spec, ctx, tmp_path, changes):
    """Export, apply {(投标人, column): value}, save; return the edited file."""
    wb, ws, titles = export(spec, ctx, tmp_path / "out.xlsx")
    for (supplier, column), value in changes.items():
        row_of(ws, titles, supplier)[titles.index(column)].value = value
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


def test_edited_bid_cell_changes_that_bid_only(seeded, tmp_path):
    spec, ctx, _ = seeded
    seq = AuditEvent.objects.first().seq
    before = list(Bid.objects.order_by("pk").values())
    path = edit(spec, ctx, tmp_path, {(SECOND, "法定代表人"): "改过的法定代表人（示例）"})
    result = run_import(spec, ctx, path, mode="update", commit=True)
    assert messages(result) == [] and (result.added, result.updated) == (0, 1)
    second = Bid.objects.get(supplier_name=SECOND)
    assert (second.legal_rep, second.contact_phone, second.version) == ("改过的法定代表人（示例）", STORED_PHONES[1], 2)
    assert [b for b in Bid.objects.order_by("pk").values() if b["id"] != second.pk] == [
        b for b in before if b["id"] != second.pk]
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.action, event.model, event.object_id) == ("update", "procurement.Bid", str(second.pk))


def test_moving_the_award_to_another_bid(seeded, tmp_path):
    spec, ctx, _ = seeded
    road = Tender.objects.get(code=ROAD)
    # The award's supplier must follow the bid marked as won.
    moved = {(WINNER, "是否中标"): "否", (SECOND, "是否中标"): "是"}
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, moved), mode="update", commit=True)
    assert [(e.column, e.value, e.message) for e in result.errors] == [
        ("中标供应商", WINNER, f"中标供应商应与标为中标的投标人“{SECOND}”一致")]
    assert Tender.objects.get(pk=road.pk).winning_bid.supplier_name == WINNER

    for supplier in (WINNER, SECOND, LOWEST):
        moved[(supplier, "中标供应商")] = SECOND
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, moved), mode="update", commit=True)
    assert messages(result) == [] and (result.added, result.updated) == (0, 3)
    assert result.unchanged == spec.queryset(ctx).count() - 3
    road.refresh_from_db()
    assert (road.winning_bid.supplier_name, road.award_supplier, road.award_supplier_uscc, road.award_value) == (
        SECOND, SECOND, "91630123MA7EYT002L", Decimal("2650000.00"))
    # The process is saved by the row taking the award away and by the row
    # giving it; the bids themselves do not change.
    events = AuditEvent.objects.filter(seq__gt=seq, model__in=["procurement.Tender", "procurement.Bid"])
    assert [(e.model, e.object_id) for e in events] == [("procurement.Tender", str(road.pk))] * 2

    # A disqualified bid cannot win.
    moved = {(SECOND, "是否中标"): "否", (LOWEST, "是否中标"): "是",
             **{(s, "中标供应商"): LOWEST for s in (WINNER, SECOND, LOWEST)}}
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, moved), mode="update", commit=True)
    assert [(e.column, e.value, e.message) for e in result.errors] == [("有效投标", "否", "被否决的投标不能中标")]
    assert Tender.objects.get(pk=road.pk).winning_bid.supplier_name == SECOND


def test_phone_masked_must_match_and_full_number_changes_it(seeded, tmp_path):
    spec, ctx, _ = seeded
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {(WINNER, "联系电话"): "139****9999"}), mode="update",
                        commit=True)
    [error] = result.errors
    assert (error.column, error.value, error.message) == (
        "联系电话", "139****9999", "号码已脱敏，与已登记的号码（139****0001）不符；更改号码请填写完整的联系电话")
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {(WINNER, "联系电话"): "139 0717 0009"}), mode="update",
                        commit=True)
    assert messages(result) == [] and result.updated == 1
    assert Bid.objects.get(supplier_name=WINNER).contact_phone == "13907170009"


def test_account_masked_must_match_and_full_account_changes_it(seeded, tmp_path):
    spec, ctx, _ = seeded
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {(WINNER, "保证金转出账户"): "6222********9999"}),
                        mode="update", commit=True)
    [error] = result.errors
    assert (error.column, error.value, error.message) == (
        "保证金转出账户", "6222********9999",
        "账号已脱敏，与已登记的账号（6222********7001）不符；更改账户请填写完整的保证金转出账户")
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {(WINNER, "保证金转出账户"): "12345"}), mode="update",
                        commit=True)
    [error] = result.errors
    assert (error.column, error.value, error.message) == ("保证金转出账户", "1***5", "投标保证金转出账户应为6至40位数字的银行账号")
    assert AuditEvent.objects.filter(seq__gt=seq).count() == 0
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {(WINNER, "保证金转出账户"): "6217 0000-0000 0099"}),
                        mode="update", commit=True)
    assert messages(result) == [] and result.updated == 1
    won = Bid.objects.get(supplier_name=WINNER)
    assert (won.bond_account, won.bond_account_masked) == ("6217000000000099", "6217********0099")
    assert won.bond_account_hash == Bid.account_hash("6217000000000099")
    events = AuditEvent.objects.filter(seq__gt=seq, model="procurement.Bid")
    assert [e.after["bond_account_masked"] for e in events] == ["6217********0099"]
    assert not any(a in str(e.before) + str(e.after) for e in events for a in ("6217000000000099", ACCOUNTS[0]))
    # The masked account sent back again stands for the new one: nothing changes.
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, {}), mode="update", commit=True)
    assert messages(result) == [] and result.updated == 0


def test_a_new_bid_needs_the_full_account(seeded, tmp_path):
    spec, ctx, _ = seeded
    wb, ws, titles = export(spec, ctx, tmp_path / "out.xlsx")
    row = [c.value for c in row_of(ws, titles, SECOND)]
    row[titles.index("投标人")] = "新投标人（示例）"
    row[titles.index("统一社会信用代码")] = None
    row[titles.index("联系电话")] = "13907170099"
    row[titles.index("是否中标")] = "否"
    ws.append(row)
    path = tmp_path / "new.xlsx"
    wb.save(path)
    result = run_import(spec, ctx, path, mode="append", commit=True)
    assert [(e.column, e.value, e.message) for e in result.errors] == [
        ("保证金转出账户", "6222********7002", "账号已脱敏；新登记的投标请填写完整的保证金转出账户")]
    row[titles.index("保证金转出账户")] = "6222000000007002"
    ws.delete_rows(ws.max_row)
    ws.append(row)
    wb.save(path)
    result = run_import(spec, ctx, path, mode="append", commit=True)
    assert messages(result) == [] and result.added == 1
    new = Bid.objects.get(supplier_name="新投标人（示例）")
    assert (new.bond_account, new.bond_account_masked) == ("6222000000007002", "6222********7002")
    # It shares 乙's account: the collusion rule says so, masked.
    finding = Finding.objects.get(tender=new.tender, rule_code="DEEMED_COLLUSION", figures__field="bond_account")
    assert finding.figures["value"] == "6222********7002" and "6222000000007002" not in finding.explanation


def test_append_adds_a_bid_to_a_registered_process_without_changing_it(seeded, tmp_path):
    spec, ctx, _ = seeded
    road = Tender.objects.get(code=ROAD)
    wb, ws, titles = export(spec, ctx, tmp_path / "out.xlsx")
    row = [c.value for c in row_of(ws, titles, SECOND)]
    row[titles.index("投标人")] = "新增示例投标人（示例）"
    row[titles.index("统一社会信用代码")] = "91630123MA7EYT004T"
    row[titles.index("联系电话")] = "13907170004"
    row[titles.index("保证金转出账户")] = "6222000000007004"
    ws.append(row)
    wb.save(tmp_path / "more.xlsx")
    result = run_import(spec, ctx, tmp_path / "more.xlsx", commit=True)
    assert messages(result) == [] and (result.added, result.skipped) == (1, Bid.objects.filter(
        tender__pairing=ctx.pairing).count() - 1 + Tender.objects.filter(pairing=ctx.pairing, bids=None).count())
    assert road.bids.get(supplier_name="新增示例投标人（示例）").price == Decimal("2710000.00")
    assert Tender.objects.get(pk=road.pk).version == road.version

    # A new bid whose process columns differ: append mode changes no registered process.
    row[titles.index("投标人")] = "再增示例投标人（示例）"
    row[titles.index("代理机构")] = "另一家代理（示例）"
    ws.append(row)
    wb.save(tmp_path / "more.xlsx")
    result = run_import(spec, ctx, tmp_path / "more.xlsx", commit=True)
    [error] = result.errors
    assert (error.column, error.message) == (
        "代理机构", "与本文件中同一采购事项前面的行不一致（前面的行为“青海示例招标代理有限公司（示例）”），同一采购事项各行的采购信息应相同")
    wb, ws, titles = export(spec, ctx, tmp_path / "out.xlsx")
    ws.delete_rows(2, ws.max_row)
    ws.append(row)
    wb.save(tmp_path / "alone.xlsx")
    [error] = run_import(spec, ctx, tmp_path / "alone.xlsx", commit=True).errors
    assert (error.column, error.message) == (
        "代理机构", "与已登记的采购事项不一致（已登记为“青海示例招标代理有限公司（示例）”）；追加导入不修改已登记的采购事项，请改用按关键字更新")
    # In update mode the same row adds the bid and changes the process.
    result = run_import(spec, ctx, tmp_path / "alone.xlsx", mode="update", commit=True)
    assert messages(result) == [] and result.added == 1
    road.refresh_from_db()
    assert (road.agent, road.bids.count()) == ("另一家代理（示例）", 5)


def test_a_registered_process_keeps_its_name(seeded, tmp_path):
    spec, ctx, _ = seeded
    changes = {(s, "采购事项名称"): "改名的采购事项（示例）" for s in (WINNER, SECOND, LOWEST)}
    result = run_import(spec, ctx, edit(spec, ctx, tmp_path, changes), mode="update", commit=True)
    assert {(e.column, e.message) for e in result.errors} == {
        ("采购事项名称", f"采购编号“{ROAD}”已登记为“日月藏族乡乡村道路提升工程施工（示例）”；更改采购事项名称请在招标采购页面修改")}
    assert len(result.errors) == 3


def test_template_example_row_is_skipped(ctx_for, tmp_path):
    spec, ctx = ctx_for("tenders")
    path = tmp_path / "template.xlsx"
    write_ledger(spec, ctx, path, template=True)
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == 0
    assert result.notices == ["工作表“招标采购”第2行是模板示例行，已跳过。"]


def test_commands(county, samples, tmp_path):
    out = io.StringIO()
    call_command("import_ledger", "tenders", str(samples / "tenders" / "valid.xlsx"), "--pairing", str(county.pk),
                 "--user", "huangyuan", stdout=out, stderr=io.StringIO())
    assert "已导入：招标采购台账：新增4条" in out.getvalue()
    path = tmp_path / "tenders.xlsx"
    call_command("export_ledger", "tenders", "--pairing", str(county.pk), "--out", str(path), "--user", "lingdao",
                 stdout=io.StringIO())
    ws = openpyxl.load_workbook(path)["招标采购"]
    assert ws.max_row - 1 == get_spec("tenders").queryset(Context(pairing=county, user=User.objects.get(username="lingdao"))).count()
    assert "139****0001" in [c.value for c in ws[ws.max_row - 2]]


def test_web_upload_preview_and_confirm(county, client_for, samples):
    c = client_for("huangyuan")
    for name in ("ledger_template", "ledger_export"):
        r = c.get(reverse(name, args=[county.pk, "tenders"]))
        assert r.status_code == 200 and b"".join(r.streaming_content)[:4] == b"PK\x03\x04"
    path = samples / "tenders" / "valid.xlsx"
    r = c.post(reverse("ledger_upload", args=[county.pk, "tenders"]),
               {"file": SimpleUploadedFile("valid.xlsx", path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    assert (job.status, job.result["added"]) == ("previewed", 4) and not sample_processes().exists()
    page = c.get(r["Location"]).content.decode()
    assert "139****0001" in page and PHONES[0] not in page
    assert "6222********7001" in page and ACCOUNTS[0] not in page
    assert client_for("lingdao").post(reverse("ledger_job_confirm", args=[job.pk])).status_code == 403
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and sample_processes().count() == 2
    assert Tender.objects.get(code=ROAD).findings.filter(active=True).count() == 2
