from django.urls import path

from . import views

urlpatterns = [
    path("pairings/<int:pairing_id>/procurement/", views.tender_list, name="procurement_tenders"),
    path("pairings/<int:pairing_id>/procurement/new/", views.tender_create, name="procurement_tender_create"),
    path("pairings/<int:pairing_id>/procurement/findings/", views.finding_list, name="procurement_findings"),
    path("pairings/<int:pairing_id>/procurement/rules/", views.rules_overview, name="procurement_rules"),
    path("pairings/<int:pairing_id>/procurement/rules/new/", views.ruleset_create, name="procurement_ruleset_create"),
    path("pairings/<int:pairing_id>/procurement/rules/<int:ruleset_id>/versions/new/", views.version_create,
         name="procurement_version_create"),
    path("pairings/<int:pairing_id>/procurement/rule-versions/<int:rulesetversion_id>/", views.version_edit,
         name="procurement_version_edit"),
    path("procurement/tenders/<int:tender_id>/", views.tender_detail, name="procurement_tender"),
    path("procurement/tenders/<int:tender_id>/edit/", views.tender_edit, name="procurement_tender_edit"),
    path("procurement/tenders/<int:tender_id>/delete/", views.tender_delete, name="procurement_tender_delete"),
    path("procurement/tenders/<int:tender_id>/bids/new/", views.bid_create, name="procurement_bid_create"),
    path("procurement/tenders/<int:tender_id>/amendments/new/", views.amendment_create,
         name="procurement_amendment_create"),
    path("procurement/tenders/<int:tender_id>/documents/new/", views.document_create,
         name="procurement_document_create"),
    path("procurement/bids/<int:bid_id>/edit/", views.bid_edit, name="procurement_bid_edit"),
    path("procurement/bids/<int:bid_id>/delete/", views.bid_delete, name="procurement_bid_delete"),
    path("procurement/amendments/<int:amendment_id>/delete/", views.amendment_delete,
         name="procurement_amendment_delete"),
    path("procurement/documents/<int:tenderdocument_id>/", views.document_download, name="procurement_document"),
    path("procurement/documents/<int:tenderdocument_id>/delete/", views.document_delete,
         name="procurement_document_delete"),
    path("procurement/findings/<int:finding_id>/review/", views.finding_review, name="procurement_finding_review"),
]
