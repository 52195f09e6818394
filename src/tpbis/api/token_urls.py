"""Pages where a person creates and revokes their personal API tokens (/akun/token/)."""

from __future__ import annotations

from django.urls import path

from tpbis.api import token_views

app_name = "api_tokens"
urlpatterns = [
    path("", token_views.token_list, name="list"),
    path("<int:pk>/cabut/", token_views.token_revoke_view, name="revoke"),
]
