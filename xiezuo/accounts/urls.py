from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.account_index, name="account_index"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/users/<int:user_id>/", views.account_detail, name="account_detail"),
    path("accounts/users/<int:user_id>/password/", views.account_reset_password, name="account_reset_password"),
    path("accounts/users/<int:user_id>/lock/", views.account_lock, name="account_lock"),
    path("accounts/users/<int:user_id>/unlock/", views.account_unlock, name="account_unlock"),
    path("accounts/users/<int:user_id>/tokens/new/", views.token_issue, name="token_issue"),
    path("accounts/tokens/<int:apitoken_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("pairings/<int:pairing_id>/members/", views.member_list, name="member_list"),
    path("pairings/<int:pairing_id>/members/add/", views.member_add, name="member_add"),
    path("memberships/<int:membership_id>/delete/", views.membership_delete, name="membership_delete"),
]
