"""The check page, the API endpoint, the vocabulary pages and the command:
scoped like every other page; uploads through the one upload check."""

import io
import json

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist, token_client
from xiezuo.audit.models import AuditEvent
from xiezuo.crosscheck.models import Term
from xiezuo.crosscheck.services import NO_ACCESS

pytestmark = pytest.mark.django_db

TEXT = "2021年落实帮扶资金4300万元，实施4大类7个项目。2022年落实帮扶资金4500万元。"


def rows(html):
    return html.count('<tr class="claim ')


def test_check_page_checklist_and_results(county):
    url = reverse("crosscheck_check", args=[county.pk])
    html = page_checklist(url).content.decode()
    assert 'name="text"' in html and 'name="file"' in html
    r = login("lingdao").post(url, {"text": TEXT, "date": "2022-07-01"})  # reading needs no write
    html = r.content.decode()
    assert rows(html) == 4
    assert html.count('class="claim verdict-consistent') == 3 and html.count("verdict-inconsistent") == 2  # + badge
    assert "2022年财政援助资金" in html and "台账比文稿 −280万元" in html
    assert f"/pairings/{county.pk}/funds/receipts/?year=2021" in html
    for stranger in ("outsider", "sibling"):
        assert login(stranger).post(url, {"text": TEXT}).status_code == 404


def test_pairing_page_links_to_the_check(county):
    html = login("lingdao").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    assert reverse("crosscheck_check", args=[county.pk]) in html


def test_empty_input_is_refused_in_chinese(county):
    r = login("liuhe").post(reverse("crosscheck_check", args=[county.pk]), {"text": "  ", "date": ""})
    assert "请粘贴文稿内容或上传 .docx 文件" in r.content.decode() and rows(r.content.decode()) == 0


def make_docx(paragraphs, table=None):
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_upload(county):
    data = make_docx(["2021年落实帮扶资金4300万元。", "2022年两地互派“三支”人才18人次。"],
                     table=[["指标", "完成情况"], ["2022年实施项目", "12个"]])
    upload = SimpleUploadedFile("简报.docx", data)
    r = login("liuhe").post(reverse("crosscheck_check", args=[county.pk]), {"file": upload, "date": "2022-12-31"})
    html = r.content.decode()
    assert rows(html) == 3
    assert html.count('class="claim verdict-consistent') == 2 and html.count('class="claim verdict-inconsistent') == 1
    assert "2022年“三支”人才" in html


def test_docx_that_is_not_one_is_refused(county):
    upload = SimpleUploadedFile("简报.docx", "2021年落实帮扶资金4300万元。".encode())
    r = login("liuhe").post(reverse("crosscheck_check", args=[county.pk]), {"file": upload})
    assert "内容与扩展名.docx不符" in r.content.decode() and rows(r.content.decode()) == 0
    upload = SimpleUploadedFile("简报.txt", b"text")
    r = login("liuhe").post(reverse("crosscheck_check", args=[county.pk]), {"file": upload})
    assert "类型不允许" in r.content.decode()


def api_url(pairing):
    return f"/api/v1/pairings/{pairing.pk}/crosscheck"


def test_api_checklist_and_answer(county):
    body = {"text": TEXT, "date": "2022-07-01"}
    r = api_checklist(api_url(county), method="post", json=body, read_only=None)
    assert r.status_code == 200
    data = r.json()
    r2 = token_client("lingdao").post(api_url(county), body, content_type="application/json")
    assert r2.status_code == 200 and r2.json() == data
    assert data["date"] == "2022-07-01" and data["counts"]["consistent"] == 3 and data["counts"]["inconsistent"] == 1
    first, *_, last = data["claims"]
    assert first["written"] == "4300万元" and first["value"] == "43000000.00" and first["unit"] == "元"
    assert first["claims"]["path"] == "funds.fiscal_received" and first["claims"]["years"] == [2021]
    assert first["claims"]["pairing"] == county.pk and first["verdict"] == "consistent"
    assert first["links"] == [{"year": 2021, "url": f"/pairings/{county.pk}/funds/receipts/?year=2021"}]
    assert last["verdict"] == "inconsistent" and last["ledger"] == "42200000.00" and last["difference"] == "-2800000.00"


@pytest.mark.parametrize("body,field,message", [
    ({"text": ""}, "__all__", "请粘贴文稿内容或上传 .docx 文件"),
    ({"text": TEXT, "date": "2022-13-01"}, "date", "文稿日期无法识别，请写成2022-07-01"),
])
def test_api_refuses_bad_input(county, body, field, message):
    r = token_client("liuhe").post(api_url(county), body, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"][field] == [message]


def test_a_text_naming_a_pairing_the_user_may_not_read(county, foreign, sibling):
    text = "六合区与湟源县2021年落实帮扶资金4300万元。和平乡2021年结对帮扶资金100万元。"
    # The outsider on its own pairing's page: both pairings named are out of its reach.
    r = token_client("outsider").post(api_url(foreign), {"text": text, "date": "2022-07-01"},
                                      content_type="application/json")
    claims = r.json()["claims"]
    assert [(c["verdict"], c["reason"], c["ledger"], c["claims"]["pairing"]) for c in claims] == [
        ("unknown", NO_ACCESS, None, None)] * 2
    # Nothing of the ledgers: no ledger value, no pairing name, no link.
    assert str(county) not in r.content.decode() and "/pairings/" not in r.content.decode()
    # The sibling township pair reads its own pair, not the county pair above it.
    r = token_client("sibling").post(api_url(sibling), {"text": text, "date": "2022-07-01"},
                                     content_type="application/json")
    first, second = r.json()["claims"]
    assert first["reason"] == NO_ACCESS and first["ledger"] is None
    assert second["verdict"] == "consistent" and second["claims"]["pairing"] == sibling.pk
    # The county office reads both.
    r = token_client("liuhe").post(api_url(county), {"text": text, "date": "2022-07-01"},
                                   content_type="application/json")
    assert [c["verdict"] for c in r.json()["claims"]] == ["consistent", "consistent"]


# --- the vocabulary ------------------------------------------------------------

TERM = {"label": "医疗专家", "words": "专家、医疗专家", "units": "名", "context": "", "path": "talent.by_kind.doctor",
        "note": "本县口径：支医专家"}


def test_terms_page_lists_national_and_own_rows(county):
    html = page_checklist(reverse("crosscheck_terms", args=[county.pk])).content.decode()
    assert "财政援助资金" in html and "全国通用" in html and "funds.fiscal_received" in html
    assert reverse("crosscheck_term_create", args=[county.pk]) in html


def test_an_office_adds_a_term_that_ties_new_words(county, sibling):
    text = "2022年，六合区人民医院选派医疗专家5名到湟源县人民医院。"
    (before,) = token_client("liuhe").post(api_url(county), {"text": text, "date": "2022-12-31"},
                                           content_type="application/json").json()["claims"]
    assert before["verdict"] == "unknown"
    url = reverse("crosscheck_term_create", args=[county.pk])
    page_checklist(url, write=True, data=TERM)
    term = Term.objects.get(label="医疗专家")
    assert term.pairing == county
    event = AuditEvent.objects.filter(model="crosscheck.Term", object_id=str(term.pk)).get()
    assert event.action == "create" and event.pairing_id == county.pk
    (after,) = token_client("liuhe").post(api_url(county), {"text": text, "date": "2022-12-31"},
                                          content_type="application/json").json()["claims"]
    assert after["verdict"] == "consistent" and after["claims"]["term"] == "医疗专家"
    # Not a word of the sibling pair, whose page does not use the county's... rows below it do.
    assert not Term.objects.for_pairing(sibling).filter(pk=term.pk).exists() or sibling.is_within(county)


def test_term_form_refuses_what_cannot_tie(county):
    data = {**TERM, "units": "", "path": "talent.by_kind.doctor"}
    r = login("liuhe").post(reverse("crosscheck_term_create", args=[county.pk]), data)
    assert "数量口径须填写量词，如：个、人次" in r.content.decode()
    data = {**TERM, "units": "人", "path": "funds.fiscal_received"}
    r = login("liuhe").post(reverse("crosscheck_term_create", args=[county.pk]), data)
    assert "金额口径的单位只能是元、万元、亿元（可留空）" in r.content.decode()
    data = {**TERM, "path": "funds.nothing"}
    r = login("liuhe").post(reverse("crosscheck_term_create", args=[county.pk]), data)
    assert "台账数字“funds.nothing”不存在，请从列表中选择" in r.content.decode()
    assert not Term.objects.filter(label="医疗专家").exists()


def test_edit_and_delete_own_terms_only(county):
    term = Term.objects.create(pairing=county, **{k: v for k, v in TERM.items()})
    url = reverse("crosscheck_term_edit", args=[term.pk])
    page_checklist(url, refuse_read_only=True)
    r = login("liuhe").post(url, {**TERM, "label": "支医专家", "loaded_version": term.version})
    assert r.status_code == 302
    term.refresh_from_db()
    assert term.label == "支医专家" and term.version == 2
    stale = login("liuhe").post(url, {**TERM, "label": "旧版本", "loaded_version": 1})
    assert "已被他人修改" in stale.content.decode()
    national = Term.objects.filter(pairing__isnull=True).first()
    assert login("admin").get(reverse("crosscheck_term_edit", args=[national.pk])).status_code == 404
    delete = reverse("crosscheck_term_delete", args=[term.pk])
    assert login("lingdao").post(delete).status_code == 403
    assert login("outsider").post(delete).status_code == 404
    assert login("liuhe").post(delete).status_code == 302
    assert not Term.objects.filter(pk=term.pk).exists()
    assert AuditEvent.objects.filter(model="crosscheck.Term", object_id=str(term.pk), action="delete").exists()


# --- the command ---------------------------------------------------------------

def test_command_checks_a_text_file_and_a_docx(county, tmp_path):
    path = tmp_path / "简报.txt"
    path.write_text(TEXT, encoding="utf-8")
    out = io.StringIO()
    call_command("crosscheck", str(path), pairing=county.pk, date="2022-07-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("4300万元\t4300万元\t2021年财政援助资金") and lines[0].endswith("一致")
    assert "不一致（差−280万元）" in lines[3]
    assert lines[-1] == "一致3处；不一致1处；约数成立0处；约数不成立0处；无法核对0处"
    doc = tmp_path / "简报.docx"
    doc.write_bytes(make_docx(["2021年落实帮扶资金4300万元。"]))
    out = io.StringIO()
    call_command("crosscheck", str(doc), "--json", pairing=county.pk, date="2022-07-01", stdout=out)
    assert [c["verdict"] for c in json.loads(out.getvalue())] == ["consistent"]


def test_command_as_a_user_and_its_refusals(county, foreign, tmp_path):
    path = tmp_path / "简报.txt"
    path.write_text("六合区与湟源县2021年落实帮扶资金4300万元。", encoding="utf-8")
    out = io.StringIO()
    call_command("crosscheck", str(path), pairing=foreign.pk, user="outsider", date="2022-07-01", stdout=out)
    assert NO_ACCESS in out.getvalue().splitlines()[0]
    with pytest.raises(CommandError, match="无权查看结对"):
        call_command("crosscheck", str(path), pairing=county.pk, user="outsider")
    with pytest.raises(CommandError, match="日期“2022/7/1”无法识别"):
        call_command("crosscheck", str(path), pairing=county.pk, date="2022/7/1")
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("crosscheck", str(tmp_path / "无.txt"), pairing=county.pk)
