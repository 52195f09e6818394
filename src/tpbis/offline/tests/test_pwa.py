"""The installable app's files, without a browser: service worker, manifest, offline page, page settings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from conftest import World
from tpbis.reports.models import Visitors

pytestmark = pytest.mark.django_db


def _config(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="offline-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page has no #offline-config block"
    return json.loads(found.group(1))


def test_the_service_worker_is_served_at_the_root_for_every_page_and_never_cached_long(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    # Workbox from our own static files, never a CDN.
    assert "/static/vendor/workbox/workbox-precaching.prod.js" in body
    assert "https://" not in body and "http://" not in body


def test_the_precache_names_the_files_as_the_static_storage_serves_them(client: Client) -> None:
    body = client.get("/sw.js").content.decode()
    entries = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", body).group(1))  # type: ignore[union-attr]
    urls = {e["url"]: e["revision"] for e in entries}
    # Plain names (DEBUG, tests) carry a content hash as their revision; the offline page is precached too.
    assert urls.keys() >= {"/static/css/app.css", "/static/js/offline.js", "/static/js/offline-queue.js", "/luring/"}
    assert all(revision for revision in urls.values())


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "tpbis.offline.tests.test_pwa.HashedNames"},
    }
)
def test_hashed_static_names_need_no_revision(client: Client) -> None:
    body = client.get("/sw.js").content.decode()
    entries = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", body).group(1))  # type: ignore[union-attr]
    shell = [e for e in entries if e["url"].startswith("/static/")]
    assert shell and all(".h4sh." in e["url"] for e in shell)
    assert all(e["revision"] is None for e in shell)


class HashedNames:
    """A stand-in for the manifest storage: every name gets a hash, as collectstatic gives it."""

    def url(self, name: str) -> str:
        stem, _, ext = name.rpartition(".")
        return f"/static/{stem}.h4sh.{ext}"


def test_the_manifest_makes_the_app_installable(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "SIM TPBIS" and manifest["short_name"] == "Lapor TPBIS"
    assert (manifest["start_url"], manifest["display"], manifest["theme_color"]) == ("/", "standalone", "#0b5d4b")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


def test_the_offline_page_is_public_and_names_nobody(client: Client, world: World) -> None:
    anonymous = client.get("/luring/").content.decode()
    client.force_login(world.manager)
    response = client.get("/luring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Halaman ini butuh sinyal" in html and "Dasbor" in html
    assert world.manager.email not in html and world.lamongan_village.name not in html
    assert _config(html)["user"] is None and _config(anonymous)["user"] is None


def test_every_page_links_the_manifest_and_a_manager_keeps_their_entry_forms(client: Client, world: World) -> None:
    client.force_login(world.manager)
    library = world.lamongan_village.pk
    html = client.get(f"/mitra/{library}/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    config = _config(html)
    assert config["user"] == world.manager.pk and config["form"] is None
    kept = [url for url, _label in config["keep"]]
    assert f"/mitra/{library}/" in kept
    assert f"/laporan/pelibatan/baru/?perpustakaan={library}" in kept
    assert f"/laporan/pengunjung/baru/?perpustakaan={library}" in kept
    assert config["t"]["queueTitle"] == "Menunggu dikirim"


def test_an_ordinary_page_loads_only_the_small_boot_script(client: Client, world: World) -> None:
    """The full offline code (27 KB) is loaded by the boot script where needed, never by the page itself."""
    client.force_login(world.manager)
    html = client.get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/js/offline-boot.js" in scripts
    assert not {"/static/js/offline.js", "/static/js/offline-queue.js"} & set(scripts)
    assert "icon-192.png" not in html, "the manifest names the icons; a page does not download one"
    assert _config(html)["load"] == ["/static/js/offline-queue.js", "/static/js/offline.js"]


def test_a_facilitator_keeps_no_entry_forms(client: Client, world: World) -> None:
    client.force_login(world.facilitator_3524)
    html = client.get("/", follow=True).content.decode()
    assert _config(html)["keep"] == []


def test_an_entry_form_tells_the_script_its_type_library_and_list_fields(client: Client, world: World) -> None:
    client.force_login(world.manager)
    library = world.lamongan_village.pk
    form = _config(client.get(f"/laporan/advokasi/baru/?perpustakaan={library}").content.decode())["form"]
    assert (form["type"], form["library"], form["record"], form["version"]) == ("advokasi", library, None, None)
    assert form["multi"] == ["targets"]
    # The day the page proposes: a kept copy opened on a later day proposes the phone's today instead.
    assert form["today"] == timezone.localdate().isoformat()


def test_a_correction_form_carries_the_version_it_shows(client: Client, world: World) -> None:
    from tpbis.api.entry import version_of

    record = Visitors.objects.create(
        library=world.lamongan_village, year=2026, month=10, male=4, female=5, entered_by=world.manager
    )
    client.force_login(world.manager)
    form = _config(client.get(f"/laporan/pengunjung/{record.pk}/ubah/").content.decode())["form"]
    assert (form["record"], form["version"]) == (record.pk, version_of(record))


def test_the_replication_form_is_not_offline(client: Client, world: World) -> None:
    client.force_login(world.facilitator_3524)
    response = client.get("/laporan/replikasi/baru/")
    if response.status_code == 200:
        assert _config(response.content.decode())["form"] is None


def test_the_tab_icon_is_served_where_browsers_look_for_it(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert len(response.content) < 1000 and "max-age" in response["Cache-Control"]
