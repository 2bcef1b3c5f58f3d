from django.urls import path

from . import views
from .ledgers import LEDGERS

urlpatterns = [
    path("pairings/<int:pairing_id>/industry/", views.home, name="industry_home"),
    path("pairings/<int:pairing_id>/industry/board/", views.board, name="industry_board"),
    path("industry/items/<int:agreeditem_id>/status/", views.item_status, name="industry_item_status"),
    path("industry/items/<int:agreeditem_id>/notes/", views.item_note, name="industry_item_note"),
    path("industry/workshops/<int:workshop_id>/months/new/", views.workshop_month_create,
         name="industry_workshop_month_new"),
    path("industry/workshop-months/<int:workshopmonth_id>/edit/", views.workshop_month_edit,
         name="industry_workshop_month_edit"),
    path("industry/visits/<int:visit_id>/minutes/", views.visit_minutes, name="industry_visit_minutes"),
]

# The same four pages for every ledger: /pairings/1/industry/parks/, /industry/parks/5/ …
# A record's parameter is named after its model (park_id, agreeditem_id).
for slug, ledger in LEDGERS.items():
    kw, record = {"slug": slug}, f"<int:{ledger.id_param}>"
    urlpatterns += [
        path(f"pairings/<int:pairing_id>/industry/{slug}/", views.ledger_list, kw, name=f"industry_{slug}_list"),
        path(f"pairings/<int:pairing_id>/industry/{slug}/new/", views.ledger_create, kw, name=f"industry_{slug}_new"),
        path(f"industry/{slug}/{record}/", views.ledger_detail, kw, name=f"industry_{slug}_detail"),
        path(f"industry/{slug}/{record}/edit/", views.ledger_edit, kw, name=f"industry_{slug}_edit"),
    ]
