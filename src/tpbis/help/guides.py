"""The guides of the help pages (*bantuan*): which exist, and for which roles they are written first."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tpbis.accounts.models import Role

# The pseudo-role of someone not signed in yet (opening an activation link).
VISITOR = "visitor"


@dataclass(frozen=True)
class Guide:
    slug: str
    title: Promise
    summary: Promise
    roles: frozenset[str]


GUIDES: tuple[Guide, ...] = (
    Guide(
        "kegiatan-dan-foto",
        gettext_lazy("Mencatat kegiatan dengan foto"),
        gettext_lazy("Pengelola: mengisi pelibatan masyarakat lengkap dengan 1–3 foto, juga dari HP."),
        frozenset({Role.MANAGER}),
    ),
    Guide(
        "pengunjung-bulanan",
        gettext_lazy("Melaporkan pengunjung bulanan"),
        gettext_lazy("Pengelola: satu laporan pengunjung setiap bulan, laki-laki dan perempuan."),
        frozenset({Role.MANAGER}),
    ),
    Guide(
        "verifikasi",
        gettext_lazy("Memverifikasi dan mengembalikan laporan"),
        gettext_lazy("Fasilitator: memeriksa antrean, memverifikasi, atau mengembalikan dengan catatan."),
        frozenset({Role.FACILITATOR, Role.PROVINCE}),
    ),
    Guide(
        "skor-iku",
        gettext_lazy("Cara skor IKU dihitung"),
        gettext_lazy("Semua peran: bagian-bagian skor, bobotnya, dan arti warna hijau, kuning, merah."),
        frozenset({Role.MANAGER, Role.FACILITATOR, Role.PROVINCE, Role.NATIONAL}),
    ),
    Guide(
        "persiapan-gathering",
        gettext_lazy("Menyiapkan gathering"),
        gettext_lazy("Petugas provinsi: laporan gathering, daftar warna, rapor dan kisah praktik baik."),
        frozenset({Role.PROVINCE, Role.NATIONAL}),
    ),
    Guide(
        "undangan-dan-akun",
        gettext_lazy("Undangan dan akun"),
        gettext_lazy("Membuat akun lewat tautan undangan, dan mengundang pengelola perpustakaan."),
        frozenset({VISITOR, Role.MANAGER, Role.FACILITATOR, Role.PROVINCE}),
    ),
    Guide(
        "serah-terima-pengelola",
        gettext_lazy("Menyerahkan perpustakaan ke pengelola baru"),
        gettext_lazy("Fasilitator: ketika pengelola pindah tugas, tanpa kehilangan laporan lama."),
        frozenset({Role.FACILITATOR, Role.PROVINCE}),
    ),
)


def guide_get(slug: str) -> Guide | None:
    return next((guide for guide in GUIDES if guide.slug == slug), None)


def guides_for_role(role: str | None) -> tuple[list[Guide], list[Guide]]:
    """(the guides written for this role, the others), each in the order above."""
    role = role or VISITOR
    mine = [guide for guide in GUIDES if role in guide.roles]
    return mine, [guide for guide in GUIDES if guide not in mine]
