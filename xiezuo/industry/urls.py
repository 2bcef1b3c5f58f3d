from django.urls import path

from . import views
from .ledgers import LEDGERS

urlpatterns = [
    path("pairings/<int:pairing_id>/industry/", views.home, name="industry_home"),
    path("pairings/<int:pairing_id>/industry/board/", views.board, name="industry_board"),
    path("industry/items/<int:pk>/status/", views.item_status, name="industry_item_status"),
    path("industry/items/<int:pk>/notes/", views.item_note, name="industry_item_note"),
    path("industry/visits/<int:pk>/minutes/", views.visit_minutes, name="industry_visit_minutes"),
]

# The same four pages for every ledger: /pairings/1/industry/parks/, /industry/parks/5/ …
for slug in LEDGERS:
    kw = {"slug": slug}
    urlpatterns += [
        path(f"pairings/<int:pairing_id>/industry/{slug}/", views.ledger_list, kw, name=f"industry_{slug}_list"),
        path(f"pairings/<int:pairing_id>/industry/{slug}/new/", views.ledger_create, kw, name=f"industry_{slug}_new"),
        path(f"industry/{slug}/<int:pk>/", views.ledger_detail, kw, name=f"industry_{slug}_detail"),
        path(f"industry/{slug}/<int:pk>/edit/", views.ledger_edit, kw, name=f"industry_{slug}_edit"),
    ]
