"""The 项目库 ledger: rows enter as applications (村申报) whatever the file
says, each with its first step; entries past review are not changed by an
import; export and import again is a round trip."""

import openpyxl
import pytest

from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import Context, get_spec
from xiezuo.ledgers.writing import write_ledger
from xiezuo.library.models import LibraryEntry

from ..ledgers.conftest import SAMPLES

pytestmark = pytest.mark.django_db


def ctx(county, users, name="liuhe"):
    return get_spec("library"), Context(pairing=county, user=users[name])


def test_imported_rows_are_applications_even_when_the_file_says_listed(county, users):
    spec, c = ctx(county, users)
    result = run_import(spec, c, SAMPLES / "library" / "valid.xlsx", commit=True)
    assert result.committed and result.added == 2, [str(e) for e in result.errors]
    for entry in LibraryEntry.objects.filter(name__endswith="项目（示例）", pairing=county, year=2023):
        assert entry.stage == LibraryEntry.APPLIED
        assert list(entry.steps.values_list("action", "user__username")) == [("apply", "liuhe")]
    road = LibraryEntry.objects.get(name="大华镇示例村道路硬化项目（示例）")
    assert road.other_sources == "县级财政衔接资金（示例）" and road.coop_funds == 500000


def test_errors_are_worded(county, users):
    spec, c = ctx(county, users)
    result = run_import(spec, c, SAMPLES / "library" / "errors.xlsx", commit=True)
    text = [str(e) for e in result.errors]
    assert not result.committed
    assert any("请选择申报村或填写申报单位" in t for t in text), text
    assert any("不存在的类别" in t for t in text), text


def test_an_entry_past_review_is_not_changed_by_an_import(county, users, tmp_path):
    spec, c = ctx(county, users)
    assert run_import(spec, c, SAMPLES / "library" / "valid.xlsx", commit=True).committed
    road = LibraryEntry.objects.get(name="大华镇示例村道路硬化项目（示例）")
    road.take(users["huangyuan"], "review")
    out = tmp_path / "export.xlsx"
    write_ledger(get_spec("library"), c, out)
    book = openpyxl.load_workbook(out)
    ws = book["项目库"]
    header = [cell.value for cell in ws[1]]
    col = next(i for i, h in enumerate(header) if h and "建设内容" in h)
    stage_col = next(i for i, h in enumerate(header) if h == "阶段")
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == road.name)
    assert row[stage_col].value == "乡审核"
    row[col].value = "改过的内容（示例）"
    book.save(out)
    result = run_import(get_spec("library"), c, out, mode="update", commit=True)
    assert not result.committed and any("已审核，不能通过导入修改" in str(e) for e in result.errors)
    road.refresh_from_db()
    assert road.content == "村道硬化2公里（示例）"
