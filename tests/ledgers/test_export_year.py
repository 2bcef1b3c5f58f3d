"""Exports honour the working year: an export asked for without a year
writes the rows of the year chosen in the header's switcher, and the page
of exports carries that year in every export form."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.checklist import login
from xiezuo.consumption.models import Sale
from xiezuo.funds.models import FundReceipt

pytestmark = pytest.mark.django_db


def sheet_rows(xlsx_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes), read_only=True).worksheets[0]
    rows = [r for r in ws.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
    return rows[0], rows[1:]


def choose(client, county, year):
    r = client.post(reverse("set_working_year"), {"pairing": county.pk, "year": year, "next": "/"})
    assert r.status_code == 302


def year_of(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.year
    text = str(value)
    return int(text[:4])


@pytest.mark.parametrize("ledger, model, column", [("funds", FundReceipt, "年度"), ("sales", Sale, "日期")])
def test_an_export_without_a_year_writes_the_switchers_year(county, ledger, model, column):
    c = login("liuhe")
    all_years = model.objects.filter(pairing=county)
    in_2021 = all_years.filter(year=2021).count()
    assert 0 < in_2021 < all_years.count()  # the demo has rows of other years to leave out
    choose(c, county, 2021)

    response = c.get(reverse("ledger_export", args=[county.pk, ledger]))  # no ?year=
    assert response.status_code == 200
    assert "2021%E5%B9%B4.xlsx" in response["Content-Disposition"]  # …-2021年.xlsx
    header, rows = sheet_rows(b"".join(response.streaming_content))
    at = next(i for i, name in enumerate(header) if column in str(name))
    assert len(rows) == in_2021
    assert {year_of(r[at]) for r in rows} == {2021}

    # The queued path (the 导出 button's form) without a year field does the same.
    r = c.post(reverse("download_start", args=[county.pk, "ledger"]), {"ledger": ledger})
    header, rows = sheet_rows(b"".join(c.get(r["Location"]).streaming_content))
    assert len(rows) == in_2021 and {year_of(r[at]) for r in rows} == {2021}

    # ?year= of a link wins over the switcher; ?year= empty means every year.
    header, rows = sheet_rows(b"".join(c.get(reverse("ledger_export", args=[county.pk, ledger]) + "?year=2022")
                                       .streaming_content))
    assert len(rows) == all_years.filter(year=2022).count() and {year_of(r[at]) for r in rows} == {2022}
    header, rows = sheet_rows(b"".join(c.get(reverse("ledger_export", args=[county.pk, ledger]) + "?year=")
                                       .streaming_content))
    assert len(rows) == all_years.count()


def test_the_export_page_carries_the_working_year_in_every_export_form(county):
    c = login("liuhe")
    choose(c, county, 2021)
    html = c.get(reverse("ledger_index", args=[county.pk])).content.decode()
    forms = html.count('name="ledger"')
    assert forms > 5 and html.count('<input type="hidden" name="year" value="2021">') == forms
    html = c.get(reverse("ledger_index", args=[county.pk]) + "?year=").content.decode()
    assert html.count('<input type="hidden" name="year" value="">') == forms
