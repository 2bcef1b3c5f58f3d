"""Every optional column of every ledger may be left out of the file.

A ledger as an office keeps it has the required columns and some of the
rest; a missing optional column once crashed the import (a sales file
without 凭证号: KeyError). For every registered spec a sheet with only the
required columns, filled from the first row of the ledger's valid sample (the
demo's names) and, where the sample leaves a cell blank, the column's
example, imports its row, and importing it again adds nothing.
"""

from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from xiezuo.ledgers.importer import _match_columns, run_import
from xiezuo.ledgers.spec import all_specs
from xiezuo.ledgers.writing import write_ledger

from .test_roundtrip import IMPORTER

SAMPLES = Path(__file__).parent / "samples"
# A sale needs its amount, or quantity and price (none of them is required
# alone): the required columns alone are refused in words, naming the row.
REFUSED = {"sales": ["工作表“消费帮扶销售”第2行“金额（元）”列（值为空）：请填写金额，或同时填写数量和单价"],
           # An application names its village or its unit, both optional columns.
           "library": ["工作表“项目库”第2行“申报单位”列（值为空）：请选择申报村或填写申报单位"],
           # The sample's first task comes from an outside inspection, which must name its document.
           "rectifications": ["工作表“问题整改”第2行“来源文件”列（值为空）：巡视巡察、审计、督查、考核反馈须填写来源文件的名称或文号"]}


def required_only(spec, sample, path, also=(), times=1):
    """Write the header and first row of `sample` keeping only the spec's
    required columns and the fields `also` (headers as the sample writes
    them), the row `times` over; return the headers."""
    rows = list(openpyxl.load_workbook(sample, data_only=True).worksheets[0].iter_rows(values_only=True))
    header_at = max(range(min(len(rows), 30)), key=lambda r: len(_match_columns(spec, rows[r], {})[0]))
    matched, _, _ = _match_columns(spec, rows[header_at], {})
    first = rows[header_at + 1]
    examples = dict(zip([c.field for c in spec.columns], spec.example_row()))
    headers, cells = [], []
    # The header row is told from a title by naming at least two columns
    # (importer.find_layout): a ledger with one required column (suppliers)
    # keeps its first optional one too.
    keep = [col.field for _, col, _, _ in matched if col.required or col.attname in also]
    if len(keep) < 2:
        keep.append(next(col.field for _, col, _, _ in matched if not col.required))
    for idx, col, _, written in matched:
        if col.field not in keep:
            continue
        value = first[idx] if idx < len(first) else None
        headers.append(written)
        cells.append(examples[col.field] if value in (None, "") else value)
    assert len(headers) == max(2, len(set(keep))), (spec.name, headers)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = spec.sheet
    ws.append(headers)
    for _ in range(times):
        ws.append(cells)
    wb.save(path)
    return headers


@pytest.mark.parametrize("ledger", sorted(all_specs()))
def test_a_sheet_of_the_required_columns_alone_imports(ledger, ctx_for, tmp_path):
    spec, ctx = ctx_for(ledger, IMPORTER.get(ledger, "liuhe"))
    path = tmp_path / f"{ledger}.xlsx"
    headers = required_only(spec, SAMPLES / ledger / "valid.xlsx", path)
    assert len(headers) < len(spec.columns)  # some optional column is really left out
    result = run_import(spec, ctx, path, commit=True)
    if ledger in REFUSED:
        assert [str(e) for e in result.errors] == REFUSED[ledger] and not result.committed
        return
    assert [str(e) for e in result.errors] == [] and result.committed
    assert result.added == 1, result.as_dict()
    again = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in again.errors] == []
    assert (again.added, again.skipped) == (0, 1)


FALLBACKS = sorted(name for name, spec in all_specs().items() if spec.fallback is not None)


def test_the_ledgers_whose_key_has_an_optional_number_have_a_fallback():
    assert FALLBACKS == ["disbursements", "donations", "funds", "sales"]


@pytest.mark.parametrize("ledger", FALLBACKS)
def test_identical_rows_without_the_optional_number_are_both_kept_once(ledger, ctx_for, tmp_path):
    """Without the key's optional column, a file's identical rows are the
    1st and 2nd of their kind (the fallback key): both are stored, and
    importing the file again adds nothing."""
    spec, ctx = ctx_for(ledger, IMPORTER.get(ledger, "liuhe"))
    path = tmp_path / f"{ledger}.xlsx"
    required_only(spec, SAMPLES / ledger / "valid.xlsx", path, also=spec.fallback.key, times=2)
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    stored = spec.model.objects.filter(pk__in=result.created_ids)
    assert sorted(stored.values_list("repeat_no", flat=True)) == [1, 2]
    assert set(stored.values_list(spec.fallback.when, flat=True)) == {""}
    again = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in again.errors] == [] and (again.added, again.skipped) == (0, 2)


def test_the_ledgers_page_and_the_instructions_explain_the_fallback(county, client_for, ctx_for, tmp_path):
    html = client_for("liuhe").get(reverse("ledger_index", args=[county.pk])).content.decode()
    spec, ctx = ctx_for("sales")
    assert spec.fallback.note in html
    write_ledger(spec, ctx, tmp_path / "template.xlsx", template=True)
    lines = [c.value for c in openpyxl.load_workbook(tmp_path / "template.xlsx")["填写说明"]["A"] if c.value]
    assert any(spec.fallback.note in line for line in lines)
