"""`{% offline_head %}`: what a page needs to be part of the installable app (base.html's <head>).

It links the manifest, loads the small boot script (which loads the rest where needed) and writes one JSON block (not a script: the
Content-Security-Policy runs no inline code) with the page's settings and the Indonesian words the
scripts show, translated here because JavaScript strings do not pass through gettext.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.template import Library
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role
from tpbis.reports.models import Status

register = Library()

OFFLINE_TYPES = ("pelibatan", "advokasi", "publikasi", "pengunjung", "peningkatan")


def _strings() -> dict[str, str]:
    return {
        "queueTitle": _("Menunggu dikirim"),
        "queued": _("Laporan disimpan di HP ini dan akan dikirim otomatis saat ada sinyal."),
        "queuedEdit": _("Perbaikan disimpan di HP ini dan akan dikirim otomatis saat ada sinyal."),
        "queuedDraft": _(
            "Draf disimpan di HP ini dan akan disimpan ke server otomatis saat ada sinyal, tanpa dikirim untuk "
            "diverifikasi."
        ),
        "draft": _("Draf"),
        "offline": _("Tidak ada sinyal. Laporan yang Anda kirim disimpan dulu di HP ini."),
        "edit": _("Ubah"),
        "delete": _("Hapus"),
        "confirmDelete": _("Hapus laporan ini dari antrean? Isinya hilang dari HP ini."),
        "sendNow": _("Kirim sekarang"),
        "waiting": _("Menunggu sinyal"),
        "refused": _("Ditolak server: buka untuk memperbaiki"),
        "conflict": _("Laporan sudah berubah di server: pilih versi"),
        "loginAgain": _("Sesi Anda berakhir. Masuk lagi agar antrean terkirim."),
        "photosQueued": _("Foto di antrean: {n}. Pilih foto baru hanya jika ingin menggantinya."),
        "editingQueued": _("Anda mengubah laporan yang menunggu dikirim."),
        "conflictTitle": _("Laporan ini diubah di server sementara Anda tanpa sinyal"),
        "serverVersion": _("Versi di server"),
        "yourVersion": _("Versi Anda"),
        "field": _("Kolom"),
        "useServer": _("Pakai versi server"),
        "useMine": _("Kirim versi Anda"),
        "logoutPending": _(
            "Masih ada {n} laporan belum terkirim. Laporan itu tetap di HP ini dan terkirim saat Anda masuk lagi. "
            "Tetap keluar?"
        ),
        "untitled": _("(tanpa judul)"),
        "confirmDuplicate": _("Ya, ini kegiatan yang berbeda. Tetap simpan."),
    }


def _kept_pages(context: Any) -> list[list[str]]:
    """The pages a manager can open without signal, [url, label]: their library page and its entry forms."""
    from tpbis.reports.views import TYPE_LABELS

    request = context.get("request")
    scope = getattr(request, "scope", None)
    if scope is None or scope.highest_role != Role.MANAGER:
        return []
    several = len(scope.libraries) > 1
    pages = []
    for library in sorted(scope.libraries):
        suffix = f" ({_('perpustakaan')} {library})" if several else ""
        pages.append([reverse("libraries:detail", kwargs={"pk": library}), _("Halaman perpustakaan") + suffix])
        pages += [
            [f"{reverse('reports:new', args=[t])}?perpustakaan={library}", str(TYPE_LABELS[t]) + suffix]
            for t in OFFLINE_TYPES
        ]
    return pages


def _form(context: Any) -> dict[str, Any] | None:
    """On an entry form of an offline type: what the script needs to queue it."""
    record_type, form, record = context.get("record_type"), context.get("form"), context.get("record")
    if record_type not in OFFLINE_TYPES or form is None or "client_id" not in context:
        return None
    library = context.get("library") or getattr(record, "library", None)
    data: dict[str, Any] = {
        "type": record_type,
        "label": str(context.get("type_label", record_type)),
        "library": library.pk if library else None,
        "libraryName": library.name if library else "",
        "record": None,
        "version": None,
        # A draft continued here: "Kirim laporan" sends it, "Simpan sebagai draf" keeps it a draft.
        "draft": False,
        # The day this page proposes as the date (and allows at most): a kept copy opened on a later day
        # proposes the phone's today instead.
        "today": timezone.localdate().isoformat(),
        # Fields with several values (tick boxes) go to the API as lists.
        "multi": [n for n, f in form.fields.items() if isinstance(f, forms.MultipleChoiceField)],
    }
    if record is not None and record.pk:
        from tpbis.api.entry import version_of  # the API's idea of a version, sent back with the edit

        data["record"], data["version"] = record.pk, version_of(record)
        data["draft"] = record.status == Status.DRAFT
    return data


@register.simple_tag(takes_context=True)
def offline_head(context: Any) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    # The offline page is one page for everyone (it is cached): it names nobody.
    signed_in = user is not None and user.is_authenticated and not context.get("plain")
    config = {
        "sw": reverse("offline:service_worker"),
        "offlineUrl": reverse("offline:page"),
        "logoutUrl": reverse("accounts:logout"),
        "user": user.pk if user is not None and signed_in else None,
        "keep": _kept_pages(context) if signed_in else [],
        "form": _form(context) if signed_in else None,
        # The full offline code, loaded by offline-boot.js (in this order) on the pages that need it.
        "load": [static("js/offline-queue.js"), static("js/offline.js")],
        "t": _strings(),
    }
    # Every page loads only the small boot script; it adds the full offline code where it is needed.
    # No icon link: the manifest names the icons, and an ordinary page should not download one.
    return format_html(
        '<link rel="manifest" href="{}">\n<script src="{}" defer></script>\n{}',
        reverse("offline:manifest"),
        static("js/offline-boot.js"),
        json_script(config, "offline-config"),  # escapes <, > and &: nothing can close the block early
    )
