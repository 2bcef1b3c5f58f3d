"""Pages: the permission checklist for every view, forms, masking, reviews,
the rule-set editor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.procurement.models import Amendment, Bid, Finding, RuleSet, RuleSetVersion, Tender, TenderDocument

from ..checklist import login, page_checklist
from .conftest import D, bid, codes, wan

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(make_tender):
    t = make_tender(title="检查清单采购（示例）")
    bid(t, wan(280), contact_phone="13987654321")
    bid(t, wan(290))
    return t


def test_tender_list_shows_processes_with_finding_counts(county, tender):
    r = page_checklist(reverse("procurement_tenders", args=[county.pk]) + "?year=2023")
    html = r.content.decode()
    assert "检查清单采购（示例）" in html and "300万元" in html
    row = next(t for t in r.context["tenders"] if t.pk == tender.pk)
    assert row.n_findings == Finding.objects.filter(tender=tender, active=True).count() >= 1
    assert "ocds/release-package?year=2023&amp;download=1" in html


def test_tender_page_shows_timeline_bids_and_masks_phones(county, tender):
    r = page_checklist(reverse("procurement_tender", args=[tender.pk]))
    html = r.content.decode()
    assert "13987654321" not in html and "139****4321" in html
    assert "2023年3月1日" in html and "投标截止" in html
    assert "投标人少于3个" in html and "第四十四条" in html


def test_create_tender_with_amount_as_offices_write_it(county, project, buyer):
    data = {"project": project.pk, "title": "新建采购（示例）", "item_kind": "works", "method": "negotiation",
            "estimated_value": "400万", "buyer": buyer.pk, "notice_date": "2023-05-01", "bid_deadline": "2023-05-10"}
    r = page_checklist(reverse("procurement_tender_create", args=[county.pk]), write=True, data=data)
    t = Tender.objects.get(title="新建采购（示例）")
    assert r.status_code == 302 and r["Location"] == reverse("procurement_tender", args=[t.pk])
    assert t.estimated_value == wan(400) and t.year == 2023 and t.pairing == county
    assert "MANDATORY_TENDER" in codes(t)
    assert AuditEvent.objects.filter(model="procurement.Tender", object_id=str(t.pk), action="create").exists()


def test_bad_tender_input_names_the_field_and_saves_nothing(county, project, buyer):
    before = Tender.objects.count()
    data = {"project": project.pk, "title": "坏数据", "item_kind": "works", "method": "open",
            "estimated_value": "四百万块", "buyer": buyer.pk, "docs_issued": "2023-05-10", "bid_deadline": "2023-05-01"}
    html = login("liuhe").post(reverse("procurement_tender_create", args=[county.pk]), data).content.decode()
    assert "金额“四百万块”无法识别" in html
    data["estimated_value"] = "100万"
    html = login("liuhe").post(reverse("procurement_tender_create", args=[county.pk]), data).content.decode()
    assert "投标截止日期不能早于招标文件发出日期" in html
    assert Tender.objects.count() == before


def test_edit_tender_sets_the_winner_and_refuses_a_stale_form(tender):
    winner = tender.bids.order_by("price").first()
    url = reverse("procurement_tender_edit", args=[tender.pk])
    data = {"project": tender.project_id, "title": tender.title, "year": 2023, "item_kind": "works", "method": "open",
            "estimated_value": "3000000", "buyer": tender.buyer_id, "winning_bid": winner.pk,
            "award_date": "2023-04-20", "loaded_version": tender.version}
    r = page_checklist(url, write=True, data=data)
    assert r.status_code == 302
    tender.refresh_from_db()
    assert tender.award_supplier == winner.supplier_name and tender.award_value == winner.price
    html = login("liuhe").post(url, {**data, "title": "改名"}).content.decode()
    assert "此记录已被他人修改" in html
    tender.refresh_from_db()
    assert tender.title == "检查清单采购（示例）"


def test_add_bid_recomputes_findings(tender):
    assert "FEW_BIDDERS" in codes(tender)
    data = {"supplier_name": "第三家（示例）", "price": "295万", "valid": "on", "contact_phone": "139 0000 1111"}
    page_checklist(reverse("procurement_bid_create", args=[tender.pk]), write=True, data=data)
    b = Bid.objects.get(tender=tender, supplier_name="第三家（示例）")
    assert b.price == wan(295) and b.contact_phone == "13900001111"
    assert "FEW_BIDDERS" not in codes(tender)


def test_a_second_bid_of_one_bidder_is_refused_on_the_form(tender):
    # One bid per bidder and process (the ledger's key of a bid, held by a
    # unique constraint): the form says so instead of reaching the database.
    existing = tender.bids.order_by("pk").first()
    n = tender.bids.count()
    data = {"supplier_name": existing.supplier_name, "price": "300万", "valid": "on"}
    r = login("liuhe").post(reverse("procurement_bid_create", args=[tender.pk]), data)
    assert r.status_code == 200 and "该投标人已对本采购事项投标" in r.content.decode()
    assert tender.bids.count() == n


def test_bid_form_validates_and_keeps_the_phone_unless_retyped(tender):
    b = tender.bids.get(contact_phone_hash=Bid.phone_hash("13987654321"))
    url = reverse("procurement_bid_edit", args=[b.pk])
    r = login("liuhe").get(url)
    html = r.content.decode()
    assert "13987654321" not in html and "139****4321" in html
    data = {"supplier_name": b.supplier_name, "price": "281万", "supplier_uscc": "91630123MA0000000X",
            "loaded_version": b.version}
    html = login("liuhe").post(url, data).content.decode()
    assert "统一社会信用代码校验位错误" in html
    data.update(supplier_uscc=b.supplier_uscc, valid="")
    html = login("liuhe").post(url, data).content.decode()
    assert "被否决的投标须填写否决理由" in html
    data.update(valid="on")
    r = page_checklist(url, write=True, data=data)
    b.refresh_from_db()
    assert r.status_code == 302 and b.price == wan(281) and b.contact_phone == "13987654321"


def test_amendment_and_documents(tender):
    tender.contract_value = wan(280)
    tender.save()
    page_checklist(reverse("procurement_amendment_create", args=[tender.pk]), write=True,
                   data={"date": "2023-08-01", "value_change": "30万", "description": "追加"})
    assert Amendment.objects.get(tender=tender).value_change == wan(30)
    assert "AMENDMENT_OVER" in codes(tender)

    def upload():
        return {"kind": "tenderNotice", "title": "招标公告", "date": "2023-03-01",
                "file": SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice")}

    url = reverse("procurement_document_create", args=[tender.pk])
    assert login("outsider").post(url, upload()).status_code == 404
    assert login("lingdao").post(url, upload()).status_code == 403
    assert login("liuhe").post(url, upload()).status_code == 302
    doc = TenderDocument.objects.get(tender=tender)
    r = page_checklist(reverse("procurement_document", args=[doc.pk]))
    assert b"".join(r.streaming_content) == b"%PDF-1.4 notice"


@pytest.mark.parametrize("kind", ["bid", "amendment", "document"])
def test_delete_children(tender, kind):
    if kind == "bid":
        obj = tender.bids.first()
    elif kind == "amendment":
        obj = Amendment.objects.create(tender=tender, date=D(2023, 8, 1), value_change=wan(1), description="x")
    else:
        obj = TenderDocument.objects.create(tender=tender, kind="other", title="x",
                                            file=SimpleUploadedFile("x.pdf", b"x"))
    page_checklist(reverse(f"procurement_{kind}_delete", args=[obj.pk]), write=True)
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    if kind == "bid":
        assert Finding.objects.get(tender=tender, rule_code="FEW_BIDDERS").figures["bidders"] == 1


def test_delete_tender(tender, county):
    r = page_checklist(reverse("procurement_tender_delete", args=[tender.pk]), write=True)
    assert r["Location"] == reverse("procurement_tenders", args=[county.pk])
    assert not Tender.objects.filter(pk=tender.pk).exists()
    assert not Finding.objects.filter(tender_id=tender.pk).exists()


def test_findings_page_filters_by_rule_and_severity(county, tender, make_tender):
    make_tender(estimated_value=wan(390), title="略低于限额（示例）")
    url = reverse("procurement_findings", args=[county.pk])
    r = page_checklist(url + "?year=2023&rule=FEW_BIDDERS")
    assert {f.rule_code for f in r.context["findings"]} == {"FEW_BIDDERS"}
    r = login("liuhe").get(url + "?year=2023&severity=low")
    found = list(r.context["findings"])
    assert found and all(f.severity == "low" for f in found)
    assert any(f.tender.title == "略低于限额（示例）" for f in found)


def test_auditor_review_leaves_an_audit_event(tender, users):
    f = Finding.objects.get(tender=tender, rule_code="FEW_BIDDERS")
    url = reverse("procurement_finding_review", args=[f.pk])
    data = {"review_status": "explained", "review_note": "首次招标仅两家，已按规定重新招标", "loaded_version": f.version}
    assert login("liuhe").post(url, data).status_code == 403  # writers do not review
    r = page_checklist(url, write=True, data=data, allowed="shenji")
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.review_status == "explained" and f.reviewed_by == users["shenji"]
    event = AuditEvent.objects.filter(model="procurement.Finding", object_id=str(f.pk), action="update").first()
    assert event.actor_name == "shenji" and event.after["review_status"] == "explained"
    assert event.after["review_note"] == "首次招标仅两家，已按规定重新招标"


def test_review_needs_a_note(tender):
    f = Finding.objects.get(tender=tender, rule_code="FEW_BIDDERS")
    html = login("shenji").post(reverse("procurement_finding_review", args=[f.pk]),
                                {"review_status": "confirmed", "review_note": " "}).content.decode()
    assert "这个字段是必填项" in html or "请填写复核意见" in html
    f.refresh_from_db()
    assert f.review_status == "open"


def test_rules_overview_lists_national_versions_and_effective_rules(county):
    r = page_checklist(reverse("procurement_rules", args=[county.pk]) + "?date=2017-01-01")
    html = r.content.decode()
    assert "国家默认规则" in html and "2018年6月1日" in html and "2000年5月1日" in html
    assert "国家发展计划委员会令第3号" in html  # in force on 2017-01-01
    assert "新建本级规则集" not in html


def editor_data(response):
    """Return the rule-set editor's form as a browser would post it unchanged."""
    data = {}
    header = response.context["header"]
    for field in header:
        value = field.value()
        if value is not None:
            data[field.html_name] = str(value)
    for row in response.context["rows"]:
        for field in row:
            value = field.value()
            if isinstance(value, bool) or field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = str(value)
    return data


def test_admin_creates_a_county_rule_set_and_a_threshold_change_changes_findings(county, make_tender):
    RuleSet.objects.filter(pairing=county).delete()  # the demo's county set
    t = make_tender(method="negotiation", estimated_value=wan(350))
    assert "MANDATORY_TENDER" not in codes(t)
    url = reverse("procurement_ruleset_create", args=[county.pk])
    data = {"name": "湟源县实施意见（测试）", "source": "湟源县关于进一步规范招投标、发包监督管理的实施意见",
            "effective_from": "2023-01-01"}
    assert login("liuhe").post(url, data).status_code == 403
    r = page_checklist(url, write=True, data=data, allowed="admin")
    version = RuleSetVersion.objects.get(ruleset__pairing=county)
    edit = reverse("procurement_version_edit", args=[county.pk, version.pk])
    assert r["Location"] == edit

    page = login("admin").get(edit)
    assert page.status_code == 200 and "本级覆盖" in page.content.decode()
    data = editor_data(page)
    assert data["MANDATORY_TENDER-param_works"] == "400"  # inherited, shown in 万元
    data.update({"MANDATORY_TENDER-override": "on", "MANDATORY_TENDER-param_works": "300",
                 "MANDATORY_TENDER-article": "第三条（示例）"})
    assert login("liuhe").post(edit, data).status_code == 403
    r = page_checklist(edit, write=True, data=data, allowed="admin")
    assert r.status_code == 302, r.context and [f.errors for f in r.context["rows"] if f.errors]
    setting = version.settings.get()
    assert setting.rule_code == "MANDATORY_TENDER" and setting.params["works"] == "3000000.00"
    f = Finding.objects.get(tender=t, rule_code="MANDATORY_TENDER", active=True)
    assert f.article == "第三条（示例）" and f.figures["threshold"] == "3000000.00"

    data = editor_data(login("admin").get(edit))
    data["MANDATORY_TENDER-param_works"] = "360"
    login("admin").post(edit, data)
    assert "MANDATORY_TENDER" not in codes(t)
    data = editor_data(login("admin").get(edit))
    data.pop("MANDATORY_TENDER-override")
    assert login("admin").post(edit, data).status_code == 302
    assert not version.settings.exists()


def test_admin_adds_a_national_version_copied_from_the_latest(county):
    national = RuleSet.objects.get(pairing=None)
    url = reverse("procurement_version_create", args=[county.pk, national.pk])
    r = page_checklist(url, write=True, data={"effective_from": "2025-01-01", "note": "测试版本"}, allowed="admin")
    version = national.versions.get(effective_from=D(2025, 1, 1))
    assert r["Location"] == reverse("procurement_version_edit", args=[county.pk, version.pk])
    assert version.settings.count() == national.version_on(D(2024, 1, 1)).settings.count()
    html = login("admin").post(url, {"effective_from": "2025-01-01"}).content.decode()
    assert "该规则集已有相同生效日期的版本" in html


def test_foreign_rule_sets_are_not_reachable_through_a_pairing(county, foreign):
    own = RuleSet.objects.create(pairing=foreign, name="外部规则集")
    url = reverse("procurement_version_create", args=[county.pk, own.pk])
    assert login("admin").get(url).status_code == 404


def test_every_form_page_renders_for_its_role_and_is_refused_to_others(county, tender):
    from django.test import Client

    f = Finding.objects.filter(tender=tender).first()
    national = RuleSet.objects.get(pairing=None)
    forms = [
        ("liuhe", reverse("procurement_tender_create", args=[county.pk]), "估算金额"),
        ("liuhe", reverse("procurement_tender_edit", args=[tender.pk]), "中标投标"),
        ("liuhe", reverse("procurement_bid_create", args=[tender.pk]), "投标保证金转出账户"),
        ("liuhe", reverse("procurement_amendment_create", args=[tender.pk]), "追加为正数"),
        ("liuhe", reverse("procurement_document_create", args=[tender.pk]), 'enctype="multipart/form-data"'),
        ("shenji", reverse("procurement_finding_review", args=[f.pk]), "复核意见"),
        ("admin", reverse("procurement_ruleset_create", args=[county.pk]), "首个版本生效日期"),
        ("admin", reverse("procurement_version_create", args=[county.pk, national.pk]), "生效日期"),
        ("admin", reverse("procurement_version_edit", args=[county.pk, national.version_on(D(2023, 1, 1)).pk]),
         "最少投标人数"),
    ]
    for user, url, text in forms:
        r = login(user).get(url)
        assert r.status_code == 200 and text in r.content.decode(), url
        anon = Client().get(url)
        assert anon.status_code == 302 and "/login/" in anon["Location"], url
        assert login("outsider").get(url).status_code == 404, url
        assert login("lingdao").get(url).status_code == 403, url


def test_winning_bid_cannot_be_disqualified_and_corrections_reach_the_award(tender):
    winner = tender.bids.order_by("price").first()
    tender.winning_bid = winner
    tender.save()
    url = reverse("procurement_bid_edit", args=[winner.pk])
    data = {"supplier_name": winner.supplier_name, "price": str(winner.price), "valid": "",
            "disqualification_reason": "资格不符", "loaded_version": winner.version}
    html = login("liuhe").post(url, data).content.decode()
    assert "该投标已确定为中标，不能否决" in html
    data.update(valid="on", supplier_name="更正后的名称（示例）", disqualification_reason="")
    assert login("liuhe").post(url, data).status_code == 302
    tender.refresh_from_db()
    assert tender.award_supplier == "更正后的名称（示例）"


def test_pairing_page_links_to_the_procurement_pages(county):
    html = login("lingdao").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    for name in ("procurement_tenders", "procurement_findings", "procurement_rules"):
        assert f'href="{reverse(name, args=[county.pk])}"' in html


def test_deletes_answer_get_with_405_only_inside_scope(tender):
    for url in (reverse("procurement_tender_delete", args=[tender.pk]),
                reverse("procurement_bid_delete", args=[tender.bids.first().pk])):
        assert login("outsider").get(url).status_code == 404
        assert login("liuhe").get(url).status_code == 405
    assert Tender.objects.filter(pk=tender.pk).exists() and tender.bids.count() == 2


def test_audit_trail_keeps_bidder_phones_masked():
    from xiezuo.audit.models import AuditEvent
    from xiezuo.procurement.models import Bid

    bid = Bid.objects.exclude(contact_phone_enc="").first()
    bid.contact_phone = "13912345678"
    bid.save()
    event = AuditEvent.objects.filter(model="procurement.Bid", object_id=str(bid.pk)).first()
    assert event.after["contact_phone_masked"] == "139****5678"
    assert event.after["contact_phone_hash"] == Bid.phone_hash("13912345678")
    assert "contact_phone_enc" not in event.after
    assert "13912345678" not in str(event.before) + str(event.after)
