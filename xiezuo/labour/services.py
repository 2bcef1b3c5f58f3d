"""Work that spans models or leaves the system: revealing and exporting
personal data (both audited), a person's records, roster summaries."""

from urllib.parse import quote

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext

from lib.chinese import in_chinese
from lib.dates import cn_date
from lib.exports import csv_text
from xiezuo.audit.models import record

from .models import Employment, TalentExchange, Trainee


def reveal(person):
    """Return the plain 身份证号, phone and birth date and record a view_pii event.

    The event names the person and which fields were shown, never the values.
    """
    revealed = {"id_number": person.reveal_id_number(), "phone": person.reveal_phone(),
                "birth_date": person.birth_date}
    labels = (("id_number", "身份证号"), ("phone", "联系电话"), ("birth_date", "出生日期"))
    shown = [label for key, label in labels if revealed[key]]
    if shown:
        record("view_pii", model="labour.Person", object_id=person.pk, pairing_id=person.pairing_id,
               summary=f"查看完整个人信息：{person.name}（{'、'.join(shown)}）",
               after={"fields": [key for key, _ in labels if revealed[key]]})
    return revealed


def person_records(person, scope):
    """Return the person's trainings, jobs and exchanges the user may read."""
    trainings = Trainee.objects.filter(person=person, training_class__pairing__in=scope.pairing_ids())
    return {
        "trainings": trainings.select_related("training_class").order_by("-training_class__start"),
        "jobs": scope.filter(Employment.objects.filter(person=person)),
        "exchanges": scope.filter(TalentExchange.objects.filter(person=person)).select_related(
            "sending_unit", "receiving_unit"),
    }


def with_roster_counts(classes):
    return classes.annotate(n_trainees=Count("trainees"),
                            n_certified=Count("trainees", filter=Q(trainees__certificate=True)))


ROSTER_HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "户类型", "乡镇", "村", "取得证书", "证书名称"]


def roster_rows(tc, full):
    """Yield the roster as rows of text; full numbers only when `full`."""
    roster = tc.trainees.select_related("person", "person__township", "person__village").order_by("person__name")
    for i, t in enumerate(roster, start=1):
        p = t.person
        yield [
            i, p.name, p.gender,
            p.reveal_id_number() if full else p.id_number_masked,
            p.reveal_phone() if full else p.phone_masked,
            in_chinese(p.get_household_type_display()), p.township.name if p.township else "",
            p.village.name if p.village else "", "是" if t.certificate else "否", t.certificate_name,
        ]


def roster_csv_response(tc, full):
    """Return the roster of a class as a CSV download (UTF-8 with BOM so Excel
    reads the Chinese) and record an export_pii event. Names are typed by
    users, so the CSV goes through the one export writer, which keeps a name
    such as "=HYPERLINK(…)" from becoming a formula beside full ID numbers."""
    rows = list(roster_rows(tc, full))
    record("export_pii", model="labour.TrainingClass", object_id=tc.pk, pairing_id=tc.pairing_id,
           summary=f"导出培训班名单：{tc.name}（{len(rows)}人，{'含完整身份证号和电话' if full else '号码已脱敏'}）",
           after={"rows": len(rows), "full_numbers": full})
    response = HttpResponse(csv_text(ROSTER_HEADER, rows), content_type="text/csv; charset=utf-8")
    filename = f"{tc.name}-名单-{cn_date(tc.start)}.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def units_summary(rows):
    """Return per receiving unit: 人次, persons and batches of the rows."""
    return list(
        rows.order_by().values("receiving_unit_id", "receiving_unit__name")
        .annotate(times=Count("pk"), persons=Count("person", distinct=True),
                  batches=Count("batch", distinct=True, filter=~Q(batch="")))
        .order_by("-times", "receiving_unit__name")
    )


def by_batch(rows):
    """Group exchange rows by batch label, in the order they come."""
    groups = {}
    for r in rows:
        groups.setdefault(r.batch or gettext("（未分批次）"), []).append(r)
    return list(groups.items())
