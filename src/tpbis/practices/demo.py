"""The two good practices shared at the East Java gathering (October 2024), retold for the demo.

Perpustakaan Desa Sumber Ilmu (Labruk Kidul, Lumajang) and Perpustakaan Mawar (Klemunan, Blitar) told
how they stay alive; the texts below are our own summary of what they said, not the news report's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tpbis.accounts.models import Membership, Role, User
from tpbis.libraries.models import Library
from tpbis.practices.models import Cost, Practice
from tpbis.practices.services import practice_create, practice_publish


@dataclass(frozen=True)
class SeedPractice:
    village_code: str
    fields: dict[str, Any] = field(default_factory=dict)


SEED_PRACTICES = (
    SeedPractice(
        village_code="35.08.21.2004",
        fields={
            "title": "Perpustakaan desa tetap hidup: hadir di pertemuan PKK, bermitra dengan sekolah, "
            "lomba dan pelatihan merajut",
            "problem": "Perpustakaan Desa Sumber Ilmu di Labruk Kidul sepi pengunjung: warga belum tahu apa yang "
            "bisa didapat di perpustakaan selain meminjam buku, dan kegiatannya hanya diketahui segelintir orang.",
            "steps": "1. Pengelola datang ke pertemuan PKK di tingkat desa, RW, RT dan dasawisma, juga ke "
            "pengajian, untuk memperkenalkan layanan dan jadwal kegiatan perpustakaan.\n"
            "2. Perpustakaan menjalin kerja sama dengan sekolah dari RA/PAUD sampai SMA/MA/SMK, dengan "
            "pemerintah desa, PKK dan mitra lain, sehingga kegiatan dirancang bersama.\n"
            "3. Perpustakaan mengadakan lomba dan pelatihan yang diminta warga, misalnya lomba literasi dan "
            "pelatihan merajut bagi ibu-ibu.\n"
            "4. Pengelola terus belajar: ikut pelatihan dan lokakarya bersama dinas dan instansi terkait.",
            "results": "Perpustakaan dikenal di setiap pertemuan warga, sekolah dari PAUD sampai SMA ikut "
            "berkegiatan, dan peserta pelatihan merajut kembali untuk kegiatan berikutnya. Kegiatan pelibatan "
            "masyarakat tercatat rutin di SIM setiap bulan.",
            "activity_field": "Ekonomi",
            "audience": "Umum",
            "cost": Cost.LOW,
            "advocacy_result": "",
            "focus": ["pelibatan", "advokasi"],
        },
    ),
    SeedPractice(
        village_code="35.05.17.1006",
        fields={
            "title": "Tim yang kompak, bersinergi dengan desa, dan setiap kegiatan dipublikasikan",
            "problem": "Program perpustakaan Mawar di Klemunan berisiko berhenti ketika pengurus berganti atau "
            "dukungan pemerintah desa surut, dan kegiatan yang baik jarang diketahui orang di luar kelurahan.",
            "steps": "1. Pengurus perpustakaan dijaga tetap kompak sebagai penggerak setiap kegiatan.\n"
            "2. Program perpustakaan diselaraskan dengan rencana pemerintah kelurahan, kecamatan dan kabupaten "
            "agar berkelanjutan.\n"
            "3. Perpustakaan bermitra dengan pegiat literasi, pelaku UMKM dan sekolah untuk pelatihan dan "
            "lokakarya sesuai kebutuhan warga.\n"
            "4. Setiap kegiatan dipublikasikan di media sosial dan media lokal sebagai promosi.",
            "results": "Kegiatan berjalan bersama mitra dari kelurahan sampai kabupaten, dan publikasi rutin "
            "membuat perpustakaan dikenal serta mengundang peserta baru.",
            "activity_field": "Pendidikan",
            "audience": "Umum",
            "cost": Cost.NONE,
            "advocacy_result": "NonDana",
            "focus": ["pelibatan", "advokasi", "publikasi"],
        },
    ),
)


def practices_demo_load(*, reviewer: User) -> list[Practice]:
    """Write, submit and publish (publicly) the seed practices through the same services people use."""
    created = []
    for seed in SEED_PRACTICES:
        library = Library.objects.filter(region_id=seed.village_code).order_by("pk").first()
        if library is None:
            continue
        manager = (
            Membership.objects.filter(library=library, role=Role.MANAGER).select_related("user").order_by("pk").first()
        )
        author = manager.user if manager else reviewer
        practice = practice_create(author=author, library=library, fields=seed.fields, submit=True)
        created.append(practice_publish(practice=practice, actor=reviewer, is_public=True))
    return created
