"""培训班及学员名册台账: one row per trainee, the class's columns repeated;
classes found or created by 培训班名称 + 开班日期, people by the keyed hash of
their 身份证号, the rows of one class agreeing on it."""

import datetime

import openpyxl

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import Person, Trainee, TrainingClass
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.writing import write_ledger

D = datetime.date
ZHANG = "630123199001011237"
HOUSEKEEPING, STARTUP = "示例家政服务培训班（示例）", "示例创业培训班（示例）"
THIRD = "东西部协作劳动技术培训班（第三期）"  # a class of the demo


def counts():
    return (TrainingClass.objects.count(), Trainee.objects.count(), Person.objects.count(),
            AuditEvent.objects.count())


def roster(tc):
    return sorted((t.person.name, t.certificate, t.certificate_name) for t in tc.trainees.select_related("person"))


def messages(result):
    return [str(e) for e in result.errors]


def test_valid_import_creates_classes_trainees_and_people(ctx_for, samples, county):
    spec, ctx = ctx_for("training", "huangyuan")
    seq = AuditEvent.objects.first().seq
    people = Person.objects.count()
    result = run_import(spec, ctx, samples / "training" / "valid.xlsx", commit=True)
    assert messages(result) == [] and (result.added, result.committed) == (6, True)

    housekeeping = TrainingClass.objects.get(pairing=county, name=HOUSEKEEPING)
    assert (housekeeping.start, housekeeping.end, housekeeping.days, housekeeping.kind, housekeeping.trade,
            housekeeping.place, housekeeping.organiser.name, housekeeping.project.code, housekeeping.note) == (
        D(2022, 5, 9), D(2022, 5, 20), 10, "skill", "家政服务", "湟源县职业技术学校（示例）", "湟源县东西部协作办公室",
        "HY-2021-06", "（示例）")
    assert roster(housekeeping) == [("张示例（示例）", True, "家政服务员证书（示例）"), ("李示例（示例）", False, ""),
                                    ("示例学员001", True, "家政服务员证书（示例）")]
    startup = TrainingClass.objects.get(pairing=county, name=STARTUP)
    assert (startup.start, startup.end, startup.days, startup.kind, startup.trade, startup.place,
            startup.organiser.name, startup.project, startup.note) == (
        D(2022, 10, 10), D(2022, 10, 12), 3, "startup", "", "湟源县城关镇（示例）", "南京市六合区东西部协作办公室", None, "")
    assert roster(startup) == [("吴示例（示例）", True, "创业培训合格证书（示例）"), ("张示例（示例）", False, "")]
    # A row of a stored class joins its roster; the class itself is untouched.
    [third] = TrainingClass.objects.filter(pairing=county, name=THIRD)
    assert third.trainees.count() == 51 and third.version == 1
    assert ("李示例（示例）", True, "电工培训合格证书（示例）") in roster(third)

    # Three new people, each created once; 示例学员001 was registered already.
    assert Person.objects.count() == people + 3
    zhang = Person.objects.with_id_number(ZHANG, county).get()
    assert (zhang.name, zhang.id_number_masked, zhang.reveal_id_number(), zhang.gender, zhang.pairing) == (
        "张示例（示例）", "6301**********1237", ZHANG, "男", county)
    assert zhang.trainings.count() == 2
    events = AuditEvent.objects.filter(seq__gt=seq)
    assert sorted(events.values_list("action", "model")) == [
        ("create", "labour.Person")] * 3 + [("create", "labour.TrainingClass")] * 2 + [("import", "labour.Trainee")]
    batch = events.get(action="import")
    assert (batch.after["count"], batch.after["rows"], batch.pairing_id) == (6, [2, 7], county.pk)
    for event in events:
        assert ZHANG not in str(event.before) + str(event.after) + event.summary

    n = counts()
    for mode, expected in [("append", (0, 0, 0, 6)), ("update", (0, 0, 6, 0))]:
        again = run_import(spec, ctx, samples / "training" / "valid.xlsx", mode=mode, commit=True)
        assert messages(again) == []
        assert (again.added, again.updated, again.unchanged, again.skipped) == expected
    assert counts() == n


def test_errors_all_at_once_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("training", "huangyuan")
    n = counts()
    result = run_import(spec, ctx, samples / "training" / "errors.xlsx", commit=True)
    sheet = "工作表“培训学员名册”"
    assert messages(result) == [
        f"{sheet}第2行“身份证号”列（值为“6301**********1230”）：身份证号校验位错误：应为“7”，实际为“0”",
        f"{sheet}第3行“结业日期”列（值为“2022-05-01”）：结业日期不能早于开班日期",
        f"{sheet}第4行“培训天数”列（值为“5”）：培训天数不能超过开班至结业的天数（2天）",
        f"{sheet}第6行“培训地点”列（值为“湟源县城关镇（示例）”）：同一培训班在本文件中已填写培训地点“湟源县职业技术学校（示例）”，"
        "各行应一致",
        f"{sheet}第7行“培训班名称、开班日期、身份证号”列（值为“示例错误培训班一（示例）、2022-05-09、6301**********1013”）："
        "与第5行重复（培训班名称、开班日期、身份证号相同）",
        f"{sheet}第8行“姓名”列（值为空）：必填，不能为空",
        f"{sheet}第9行“取得证书”列（值为“否”）：填写了证书名称，请同时勾选“取得证书”",
    ]
    assert not result.committed and counts() == n


def export(spec, ctx, path):
    write_ledger(spec, ctx, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.sheet]
    return wb, ws, [str(c.value).lstrip("*") for c in ws[1]]


def test_class_columns_agree_and_update_mode_changes_the_class(ctx_for, samples, county, tmp_path):
    spec, ctx = ctx_for("training", "huangyuan")
    run_import(spec, ctx, samples / "training" / "valid.xlsx", commit=True)
    startup = TrainingClass.objects.get(pairing=county, name=STARTUP)
    wb, ws, titles = export(spec, ctx, tmp_path / "export.xlsx")
    place = titles.index("培训地点")
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == STARTUP]
    assert len(rows) == 2

    # One row of two edited: the rows disagree.
    rows[1][place].value = "湟源县职业技术学校（示例）"
    wb.save(tmp_path / "one.xlsx")
    n = counts()
    result = run_import(spec, ctx, tmp_path / "one.xlsx", mode="update", commit=True)
    assert messages(result) == [
        f"工作表“培训学员名册”第{rows[1][0].row}行“培训地点”列（值为“湟源县职业技术学校（示例）”）："
        "同一培训班在本文件中已填写培训地点“湟源县城关镇（示例）”，各行应一致"]
    assert counts() == n

    # Both rows edited: appending refuses to change a stored class ...
    rows[0][place].value = "湟源县职业技术学校（示例）"
    wb.save(tmp_path / "both.xlsx")
    result = run_import(spec, ctx, tmp_path / "both.xlsx", commit=True)
    assert messages(result) == [
        f"工作表“培训学员名册”第{r[0].row}行“培训地点”列（值为“湟源县职业技术学校（示例）”）：与已登记培训班的培训地点"
        "“湟源县城关镇（示例）”不符；修改培训班请以“按关键字更新”方式导入，或在培训班页面修改" for r in rows]
    assert counts() == n

    # ... updating changes it once, with its audit event, and nothing else.
    seq = AuditEvent.objects.first().seq
    trainees = list(Trainee.objects.order_by("pk").values())
    result = run_import(spec, ctx, tmp_path / "both.xlsx", mode="update", commit=True)
    assert messages(result) == [] and (result.added, result.updated) == (0, 2)
    startup.refresh_from_db()
    assert (startup.place, startup.version) == ("湟源县职业技术学校（示例）", 2)
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.action, event.model, event.object_id) == ("update", "labour.TrainingClass", str(startup.pk))
    assert [(k, a, b) for k, a, b in event.changed_fields() if k != "version"] == [
        ("place", "湟源县城关镇（示例）", "湟源县职业技术学校（示例）")]
    assert list(Trainee.objects.order_by("pk").values()) == trainees

    # A new trainee of a stored class in update mode: the file's columns win too.
    ws.append([STARTUP, D(2022, 10, 10), D(2022, 10, 12), 3, "创业", "", "", "湟源县城关镇（示例）",
               "南京市六合区东西部协作办公室", "", "郑示例（示例）", "630123199308084019", "否", "", ""])
    for r in rows:
        r[place].value = "湟源县城关镇（示例）"
    wb.save(tmp_path / "back.xlsx")
    result = run_import(spec, ctx, tmp_path / "back.xlsx", mode="update", commit=True)
    assert messages(result) == [] and (result.added, result.updated) == (1, 2)
    startup.refresh_from_db()
    assert startup.place == "湟源县城关镇（示例）" and startup.trainees.count() == 3


def test_two_stored_classes_of_one_name_and_day_are_refused(ctx_for, samples, county):
    third = TrainingClass.objects.get(pairing=county, name=THIRD)
    TrainingClass.objects.create(pairing=county, name=THIRD, start=third.start, end=third.end, days=3)
    spec, ctx = ctx_for("training", "huangyuan")
    result = run_import(spec, ctx, samples / "training" / "valid.xlsx", commit=True)
    assert messages(result) == [
        f"工作表“培训学员名册”第7行“培训班名称”列（值为“{THIRD}”）：本结对有2个培训班名称为“{THIRD}”且开班日期相同，"
        "无法区分；请先在培训班页面修改其中一个的名称"]


def test_export_masks_numbers_without_pii(ctx_for, samples, tmp_path):
    spec, ctx = ctx_for("training", "huangyuan")
    run_import(spec, ctx, samples / "training" / "valid.xlsx", commit=True)
    for user, shown, full in [("liuhe", "6301**********1237", False), ("huangyuan", ZHANG, True)]:
        spec, ctx = ctx_for("training", user)
        seq = AuditEvent.objects.first().seq
        _, ws, titles = export(spec, ctx, tmp_path / f"{user}.xlsx")
        assert titles[:4] == ["培训班名称", "开班日期", "结业日期", "培训天数"]
        numbers = [row[titles.index("身份证号")] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert len(numbers) == 156 and shown in numbers and (ZHANG in numbers) == full
        [event] = AuditEvent.objects.filter(seq__gt=seq)
        assert (event.action, event.actor_name, event.after) == (
            "export_pii", user, {"ledger": "training", "rows": 156, "full_numbers": full})
        # Either export imports back unchanged.
        same = run_import(spec, ctx, tmp_path / f"{user}.xlsx", mode="update", commit=True)
        assert messages(same) == [] and (same.added, same.updated, same.unchanged) == (0, 0, 156)
        assert AuditEvent.objects.filter(seq__gt=event.seq).count() == 0


def test_web_template_export_upload_and_confirm(county, client_for, samples):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from xiezuo.ledgers.models import ImportJob

    c = client_for("huangyuan")
    assert "培训班及学员名册台账" in c.get(reverse("ledger_index", args=[county.pk])).content.decode()
    for name in ("ledger_template", "ledger_export"):
        r = c.get(reverse(name, args=[county.pk, "training"]))
        assert r.status_code == 200 and b"".join(r.streaming_content)[:4] == b"PK\x03\x04"
    path = samples / "training" / "valid.xlsx"
    r = c.post(reverse("ledger_upload", args=[county.pk, "training"]),
               {"file": SimpleUploadedFile(path.name, path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    page = c.get(r["Location"]).content.decode()
    # The preview shows the numbers masked, never in full.
    assert "确认导入（新增6条，更新0条）" in page and "6301**********1237" in page and ZHANG not in page
    assert not TrainingClass.objects.filter(name=HOUSEKEEPING).exists()
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and Trainee.objects.filter(training_class__name=HOUSEKEEPING).count() == 3
