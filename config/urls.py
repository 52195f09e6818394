"""Top-level URL map."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from tpbis.accounts import views as account_views

handler500 = "tpbis.core.middleware.server_error"  # a database outage is a 503, not a 500

admin.site.site_header = "SIM TPBIS"
admin.site.site_title = "SIM TPBIS"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("akun/token/", include("tpbis.api.token_urls")),
    path("akun/", include("tpbis.accounts.urls")),
    path("notifikasi/", include("tpbis.notifications.urls")),
    path("mitra/", include("tpbis.libraries.urls")),
    path("wilayah/", include("tpbis.regions.urls")),
    path("laporan/", include("tpbis.reports.urls")),
    path("iku/", include("tpbis.kpi.urls")),
    path("dasbor/", include("tpbis.dashboards.urls")),
    path("kerja/", include("tpbis.worklists.urls")),
    path("capaian/", include("tpbis.dashboards.public_urls")),
    path("ekspor/", include("tpbis.exports.urls")),
    path("", include("tpbis.reportcards.urls")),  # /rapor/ and /laporan-gathering/
    path("api/", include("tpbis.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("audit/", include("tpbis.audit.urls")),
    path("cari/", include("tpbis.search.urls")),
    path("bantuan/", include("tpbis.help.urls")),
    path("pengingat/", include("tpbis.reminders.urls")),
    path("elis/", include("tpbis.elis.urls")),
    path("praktik-baik/", include("tpbis.practices.urls")),
    path("gathering/", include("tpbis.gatherings.urls")),
    path("survei/", include("tpbis.surveys.urls")),
    path("profil/", include("tpbis.profiles.urls")),
    path("kualitas-data/", include("tpbis.quality.urls")),
    path("duplikat/", include("tpbis.duplicates.urls")),
    path("admin/", admin.site.urls),
    path("", include("tpbis.offline.urls")),  # /sw.js, /manifest.webmanifest, /luring/: the installable app
]
