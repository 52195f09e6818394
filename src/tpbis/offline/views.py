"""The service worker, the web app manifest and the offline page of the installable app.

The service worker is a template: its precache list is made of `{% static %}` URLs, so it names the
hashed files whitenoise serves in production and the plain ones under DEBUG alike.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What an entry form needs, in the order the page loads it, plus the offline scripts themselves.
SHELL_STATIC = (
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "js/app.js",
    "js/offline-boot.js",
    "js/offline-queue.js",
    "js/offline.js",
)
WORKBOX = ("workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching")
ICONS = ("offline/icon-192.png", "offline/icon-512.png", "offline/icon-maskable-512.png")
FAVICON = "offline/icon-32.png"
THEME = "#0b5d4b"
BACKGROUND = "#f6f8f7"


def _revision(path: str) -> str:
    """A short hash of a static file's content: Workbox re-downloads a precached file when it changes."""
    found = finders.find(path)
    if not found:
        return "0"
    with open(found if isinstance(found, str) else found[0], "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()[:12]


def _precache_entry(path: str) -> dict[str, str | None]:
    url = static(path)
    # A hashed name (collected static) is its own revision; a plain one (DEBUG) gets its content's hash.
    return {"url": url, "revision": None if url != f"/static/{path}" else _revision(path)}


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    offline_url = reverse("offline:page")
    entries = [_precache_entry(path) for path in SHELL_STATIC]
    # The offline page is the same for everyone; its revision follows the template and the scripts.
    page = render_to_string("offline/offline.html", request=None, context={"user": None, "plain": True})
    entries.append({"url": offline_url, "revision": hashlib.sha256(page.encode()).hexdigest()[:12]})
    context = {
        "workbox": [static(f"vendor/workbox/{name}.prod.js") for name in WORKBOX],
        "queue_script": static("js/offline-queue.js"),
        "precache": json.dumps(entries),
        "offline_url": json.dumps(offline_url),
        "logout_url": json.dumps(reverse("accounts:logout")),
        "version": hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:12],
    }
    response = render(request, "offline/sw.js", context, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=60 * 60 * 24)
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static(ICONS[0]), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static(ICONS[1]), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static(ICONS[2]), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    data = {
        "name": "SIM TPBIS",
        "short_name": _("Lapor TPBIS"),
        "description": _("Laporan perpustakaan TPBIS, juga saat tidak ada sinyal."),
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": icons,
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8")


@require_GET
@cache_control(max_age=60 * 60 * 24 * 30)
def favicon(request: HttpRequest) -> HttpResponse:
    """The tab icon (520 bytes) where browsers look for it: no page links an icon, so no page downloads one."""
    found = finders.find(FAVICON)
    with open(str(found), "rb") as icon:
        return HttpResponse(icon.read(), content_type="image/png")


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """What the app shows for a page that needs the connection; the same for everyone (it is cached)."""
    return render(request, "offline/offline.html", {"plain": True})
