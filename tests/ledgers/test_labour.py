"""Labour ledgers: people found by the keyed hash of their 身份证号, numbers
masked for roles without "pii", every export an export_pii event."""

import datetime
from decimal import Decimal

import openpyxl

from xiezuo.audit.models import AuditEvent, snapshot, verify_chain
from xiezuo.labour.models import Employment, Person, TalentExchange, tree_root_id
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.writing import write_ledger

NUMBER = "630123199001011237"


def test_employment_creates_people_once(ctx_for, samples, county):
    spec, ctx = ctx_for("employment")
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 3
    zhang = Person.objects.with_id_number(NUMBER, county).get()
    assert (zhang.name, zhang.household_type, zhang.id_number_masked, zhang.reveal_id_number(), zhang.gender) == (
        "张示例（示例）", "poverty", "6301**********1237", NUMBER, "男")
    jobs = list(Employment.objects.filter(person=zhang).order_by("start").values_list(
        "destination", "form", "start", "end", "monthly_income"))
    # The sample is written in the old categories: "到东部/江苏" with 务工地点
    # 南京市六合区 is the paired province, "县内就地就近" the county.
    assert jobs == [("paired_province", "enterprise", datetime.date(2022, 3, 1), datetime.date(2022, 8, 31),
                     Decimal("4500.00")),
                    ("in_county", "workshop", datetime.date(2022, 9, 15), None, Decimal("2500.00"))]
    li = Employment.objects.get(person__name="李示例（示例）")
    assert li.destination == "in_province"  # "省内其他地区"
    # The people were written through the tracked model; no event holds a number.
    created = AuditEvent.objects.filter(model="labour.Person", action="create", seq__gt=seq)
    assert created.count() == 2
    for event in AuditEvent.objects.filter(seq__gt=seq):
        assert NUMBER not in str(event.before) + str(event.after) + event.summary

    # The preview kept with an upload's job shows the numbers masked.
    preview = run_import(spec, ctx, samples / "employment" / "valid.xlsx", mode="update")
    assert preview.sample_add == [] and NUMBER not in str(result.sample_add)
    assert result.sample_add[0]["cells"][:2] == ["张示例（示例）", "6301**********1237"]

    again = run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    assert (again.added, again.skipped) == (0, 3) and Person.objects.with_id_number(NUMBER, county).count() == 1


def test_people_created_at_once_leave_the_events_their_saves_would(ctx_for, samples, county):
    spec, ctx = ctx_for("employment")
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    assert result.committed
    created = list(AuditEvent.objects.filter(model="labour.Person", action="create", seq__gt=seq).order_by("seq"))
    people = Person.objects.filter(pk__in=[int(e.object_id) for e in created])
    assert len(created) == people.count() == 2
    # In the order of the file's rows (张 on row 2, 李 after), each the
    # snapshot of the person as stored, under the importing pairing.
    assert [e.summary for e in created] == ["张示例（示例）", "李示例（示例）"]
    for event in created:
        stored = Person.objects.get(pk=event.object_id)
        assert event.after == snapshot(stored) and event.before is None
        assert event.pairing_id == ctx.pairing.pk and stored.tree_root_id == tree_root_id(ctx.pairing)
    assert verify_chain()[2] == ""


def test_employment_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("employment")
    n = Employment.objects.count(), Person.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "employment" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“就业”第2行“身份证号”列（值为“6301**********1230”）：身份证号校验位错误：应为“7”，实际为“0”",
        "工作表“就业”第3行“结束日期”列（值为“2022-02-01”）：结束日期不能早于开始日期",
        "工作表“就业”第4行“身份证号”列（值为“6301**********9999”）：号码已脱敏，且找不到以此号码登记的人员；"
        "新人员请填写完整的18位身份证号",
        "工作表“就业”第5行“就业去向”列（值为空）：必填，不能为空",
    ]
    assert not result.committed
    assert (Employment.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == n


def test_employment_name_must_agree_with_the_registered_person(ctx_for, samples, tmp_path):
    spec, ctx = ctx_for("employment", "huangyuan")
    run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    [row] = [r for r in ws.iter_rows(min_row=2) if r[1].value == NUMBER and r[7].value.month == 3]
    row[0].value = "改名（示例）"
    wb.save(out)
    n = AuditEvent.objects.count()
    result = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in result.errors] == [
        f"工作表“就业”第{row[0].row}行“姓名”列（值为“改名（示例）”）：与已登记人员（6301**********1237）的姓名“张示例（示例）”不符，"
        "请在人员页面修改",
    ]
    assert AuditEvent.objects.count() == n


def test_employment_export_masks_numbers_without_pii(ctx_for, samples, tmp_path):
    spec, ctx = ctx_for("employment", "huangyuan")
    run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    for user, shown, full in [("liuhe", "6301**********1237", False), ("huangyuan", NUMBER, True)]:
        spec, ctx = ctx_for("employment", user)
        seq = AuditEvent.objects.first().seq
        out = tmp_path / f"{user}.xlsx"
        write_ledger(spec, ctx, out)
        ws = openpyxl.load_workbook(out)[spec.sheet]
        numbers = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
        assert shown in numbers and (NUMBER in numbers) == full
        [event] = AuditEvent.objects.filter(seq__gt=seq)
        assert (event.action, event.actor_name, event.after["full_numbers"], event.after["rows"]) == (
            "export_pii", user, full, len(list(ws.iter_rows(min_row=2))))
        # An export masked for liuhe imports back unchanged.
        same = run_import(spec, ctx, out, mode="update", commit=True)
        assert [str(e) for e in same.errors] == [] and (same.added, same.updated) == (0, 0)


def test_employment_destinations_new_words_and_the_old_east(ctx_for, tmp_path):
    spec, ctx = ctx_for("employment")
    path = tmp_path / "destinations.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "就业"
    ws.append(["姓名", "身份证号", "就业去向", "就业形式", "务工地点", "开始日期"])
    rows = [("赴对口省份", "", "paired_province"), ("省外", "广东省深圳市", "other_province"),
            ("省内县外", "西宁市", "in_province"), ("县内", "", "in_county"),
            ("到东部/江苏", "江苏省苏州市", "paired_province"), ("到东部", "浙江省宁波市", "other_province"),
            ("东部", "", "other_province")]
    for n, (word, place, _) in enumerate(rows, 1):
        ws.append(["去向示例（示例）", "630123197806153014", word, "企业务工", place, f"2022-0{n}-01"])
    wb.save(path)
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == len(rows)
    got = list(Employment.objects.filter(person__name="去向示例（示例）").order_by("start")
               .values_list("destination", flat=True))
    assert got == [code for _, _, code in rows]


def test_one_new_person_one_name_within_a_file(ctx_for, tmp_path):
    spec, ctx = ctx_for("employment")
    path = tmp_path / "two_names.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "就业"
    ws.append(["姓名", "身份证号", "就业去向", "就业形式", "开始日期"])
    ws.append(["吴示例（示例）", "630123197806153014", "到东部/江苏", "企业务工", "2022-03-01"])
    ws.append(["吴示列（示例）", "630123197806153014", "到东部/江苏", "企业务工", "2022-09-01"])
    wb.save(path)
    n = Person.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“就业”第3行“姓名”列（值为“吴示列（示例）”）：同一身份证号在本文件中已填写姓名“吴示例（示例）”，姓名不一致",
    ]
    assert (Person.objects.count(), AuditEvent.objects.count()) == n


def test_talent_with_and_without_a_number(ctx_for, samples, county):
    spec, ctx = ctx_for("talent")
    result = run_import(spec, ctx, samples / "talent" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    doctor = TalentExchange.objects.get(person__in=Person.objects.with_id_number("630123197806153014", county))
    assert (doctor.person.name, doctor.kind, doctor.direction, doctor.sending_unit.name, doctor.receiving_unit.name,
            doctor.start, doctor.end, doctor.specialty) == (
        "吴示例（示例）", "doctor", "e2w", "南京市六合区人民医院", "湟源县人民医院", datetime.date(2022, 3, 1),
        datetime.date(2022, 8, 31), "医疗")
    cadre = TalentExchange.objects.get(pairing=county, person__name="郑示例（示例）")
    assert (cadre.person.id_number_hash, cadre.kind, cadre.receiving_unit.name, cadre.end) == (
        None, "cadre", "西宁市湟源县人民政府", None)
    # Importing again finds both people (by number, and by the name alone).
    people = Person.objects.count()
    again = run_import(spec, ctx, samples / "talent" / "valid.xlsx", mode="update", commit=True)
    assert (again.added, again.updated, again.unchanged, Person.objects.count()) == (0, 0, 2, people)


def test_talent_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("talent")
    n = TalentExchange.objects.count(), Person.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "talent" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“人才交流”第2行“接收单位”列（值为“湟源县教育局”）：接收单位不能与派出单位相同",
        ("工作表“人才交流”第3行“派出单位”列（值为“示例不存在的学校（示例）”）：找不到单位“示例不存在的学校（示例）”，"
         "请先在系统中登记或检查名称"),
        "工作表“人才交流”第4行“类别”列（值为空）：必填，不能为空",
        "工作表“人才交流”第5行“方向”列（值为“南北”）：不是有效的选项，应为：东→西、西→东",
    ]
    assert not result.committed
    assert (TalentExchange.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == n
