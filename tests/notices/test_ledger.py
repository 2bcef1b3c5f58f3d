"""The 公告公示台账: imported rows are drafts, refusals name the row, a
published notice is not changed by a file, and export → import adds nothing."""

import datetime

import openpyxl
import pytest

from xiezuo.accounts.models import User
from xiezuo.audit.models import AuditEvent
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import Context, get_spec
from xiezuo.ledgers.writing import write_ledger
from xiezuo.notices.models import DRAFT, PUBLISHED, Notice

from ..ledgers.conftest import SAMPLES

pytestmark = pytest.mark.django_db


def ctx(county, user="liuhe"):
    return get_spec("disclosures"), Context(pairing=county, user=User.objects.get(username=user))


def test_import_makes_drafts_with_the_project_name(county):
    spec, c = ctx(county)
    result = run_import(spec, c, SAMPLES / "disclosures" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    n = Notice.objects.get(project__code="HY-2022-12", stage="result", start_date=datetime.date(2022, 11, 1))
    assert n.status == DRAFT and n.name == n.project.name and n.title == f"{n.project.name}验收结果公告"
    assert n.results == "已完工验收（示例）" and n.end_date == datetime.date(2022, 11, 15)
    assert AuditEvent.objects.filter(action="import", model="notices.Notice").exists()


def test_errors_name_the_row_and_nothing_is_written(county):
    spec, c = ctx(county)
    before = Notice.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, c, SAMPLES / "disclosures" / "errors.xlsx", commit=True)
    messages = [str(e) for e in result.errors]
    assert len(messages) == 3, messages
    assert "第2行" in messages[0] and "不少于10天" in messages[0]
    assert "第3行" in messages[1] and "HY-2099-99" in messages[1]
    assert "第4行" in messages[2] and "入库公示" in messages[2]
    assert not result.committed and (Notice.objects.count(), AuditEvent.objects.count()) == before


def test_export_then_import_adds_nothing_and_published_notices_stay(county, tmp_path):
    spec, c = ctx(county)
    out = tmp_path / "export.xlsx"
    write_ledger(spec, c, out)
    stored = Notice.objects.filter(pairing=county, project__isnull=False).count()
    assert stored > 10
    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    titles = [str(cell.value).lstrip("*") for cell in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert any(r[titles.index("公示渠道")] == "县级政府网站、乡镇公示栏" for r in rows)
    assert any(r[titles.index("反馈条数")] == 1 for r in rows)
    same = run_import(spec, c, out, mode="update", commit=True)
    assert [str(e) for e in same.errors] == [] and (same.added, same.updated, same.unchanged) == (0, 0, stored)
    # A changed cell of a published notice is refused.
    ws.cell(row=2, column=titles.index("建设内容") + 1, value="改过的内容（测试）")
    wb.save(tmp_path / "changed.xlsx")
    changed = run_import(spec, c, tmp_path / "changed.xlsx", mode="update", commit=True)
    assert any("不能通过导入修改" in str(e) for e in changed.errors)
    assert not Notice.objects.filter(content="改过的内容（测试）").exists()
    assert Notice.objects.filter(status=PUBLISHED, pairing=county, project__isnull=False).count() == stored
