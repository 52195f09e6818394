"""Demo records: what the demo libraries reported from 1 January of last year to today, in every status.

Libraries with an activated manager report (some a lot, some little), libraries whose manager is only
invited have a few records keyed in for them, libraries without an account have none: the seeds' problem.
Bangka Belitung's twelve green libraries report enough of every type to score 100 this year. Everything
is drawn from the loader's seeded random generator, so every machine gets the same records.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from tpbis.accounts.models import Membership, Role, User
from tpbis.libraries.models import Library, LibraryKind
from tpbis.reports.audit import audit_log_many
from tpbis.reports.models import (
    Advocacy,
    AdvocacyOutcome,
    AuditAction,
    CommunityEngagement,
    InformationService,
    Publicity,
    Replication,
    Status,
    Visitors,
)
from tpbis.reports.photos import photos_prepare, photos_save
from tpbis.reports.signals import record_months, records_changed

# (title, bidang kegiatan, jenis, possible sasaran, province it fits or "" for any)
ACTIVITIES: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("Kelas membaca nyaring untuk anak", "Pendidikan", "Promosi", ("Anak-Anak",), ""),
    ("Bimbingan belajar calistung", "Pendidikan", "Pelatihan", ("Anak-Anak", "Pelajar"), ""),
    ("Lomba bercerita tingkat desa", "Pendidikan", "Promosi", ("Pelajar", "Anak-Anak"), ""),
    ("Kelas bahasa Inggris dasar", "Pendidikan", "Pelatihan", ("Pelajar",), ""),
    ("Bedah buku bersama tokoh masyarakat", "Pendidikan", "Promosi", ("Umum", "Mahasiswa"), ""),
    ("Penyuluhan gizi seimbang bersama Puskesmas", "Kesehatan", "Promosi", ("Umum",), ""),
    ("Kelas ibu hamil dan balita", "Kesehatan", "Promosi", ("Umum",), ""),
    ("Sosialisasi pencegahan stunting", "Kesehatan", "Promosi", ("Umum",), ""),
    ("Senam lansia dan cek tekanan darah", "Kesehatan", "Promosi", ("Lansia",), ""),
    ("Pelatihan pemasaran online lewat WhatsApp Business", "Inklusi Digital", "Pelatihan", ("Pelaku UMKM",), ""),
    ("Kelas literasi digital untuk ibu-ibu PKK", "Inklusi Digital", "Pelatihan", ("Umum",), ""),
    ("Pelatihan membuat konten video dengan ponsel", "Inklusi Digital", "Pelatihan", ("Pelajar", "Mahasiswa"), ""),
    ("Pelatihan Microsoft Excel untuk perangkat desa", "Inklusi Digital", "Pelatihan", ("Umum",), ""),
    ("Kelas aman bermedia sosial", "Inklusi Digital", "Pelatihan", ("Pelajar",), ""),
    ("Latihan tari tradisional", "Seni Budaya", "Pelatihan", ("Anak-Anak", "Pelajar"), ""),
    ("Pelatihan kerajinan anyaman pandan", "Seni Budaya", "Pelatihan", ("Umum",), ""),
    ("Lomba mewarnai dan menggambar", "Seni Budaya", "Promosi", ("Anak-Anak",), ""),
    ("Pelatihan olahan keripik singkong", "Ekonomi", "Pelatihan", ("Pelaku UMKM", "Umum"), ""),
    ("Pelatihan pembuatan kerupuk ikan", "Ekonomi", "Pelatihan", ("Pelaku UMKM",), "19"),
    ("Pelatihan olahan bandeng presto", "Ekonomi", "Pelatihan", ("Pelaku UMKM",), "35"),
    ("Pelatihan pengemasan dan label produk UMKM", "Ekonomi", "Pelatihan", ("Pelaku UMKM",), ""),
    ("Pelatihan membuat sabun cair", "Ekonomi", "Pelatihan", ("Umum",), ""),
    ("Pelatihan menjahit untuk pemula", "Ekonomi", "Pelatihan", ("Umum",), ""),
    ("Pelatihan budidaya lada", "Pertanian", "Pelatihan", ("Petani/Nelayan",), "19"),
    ("Pelatihan budidaya jagung hibrida", "Pertanian", "Pelatihan", ("Petani/Nelayan",), "35"),
    ("Pelatihan pembuatan pupuk kompos", "Pertanian", "Pelatihan", ("Petani/Nelayan",), ""),
    ("Pelatihan hidroponik sayuran", "Pertanian", "Pelatihan", ("Umum", "Petani/Nelayan"), ""),
    ("Budidaya ikan lele dalam ember (budikdamber)", "Pertanian", "Pelatihan", ("Petani/Nelayan", "Umum"), ""),
    ("Pelatihan budidaya jamur tiram", "Pertanian", "Pelatihan", ("Petani/Nelayan",), ""),
    ("Turnamen catur antar-RT", "Olahraga", "Promosi", ("Umum",), ""),
    ("Senam sehat bersama warga", "Olahraga", "Promosi", ("Umum", "Lansia"), ""),
    ("Gotong royong menata koleksi perpustakaan", "Lainnya", "Promosi", ("Umum", "Pelajar"), ""),
    ("Perpustakaan keliling ke posyandu", "Lainnya", "Promosi", ("Anak-Anak", "Umum"), ""),
)

STORIES: dict[str, tuple[str, ...]] = {
    "Ekonomi": (
        "Setelah pelatihan, Bu Sumiati mulai menjual keripik singkong lewat WhatsApp dan kini menerima "
        "pesanan dari desa tetangga.",
        "Dua peserta membuka usaha jahit rumahan dan mengajak tetangga bekerja bersama.",
    ),
    "Inklusi Digital": (
        "Ibu-ibu PKK kini mencatat kas arisan di lembar kerja ponsel dan melaporkannya di grup WhatsApp.",
        "Pemuda karang taruna mengelola akun Instagram desa dan mempromosikan produk UMKM setempat.",
    ),
    "Pertanian": (
        "Kelompok tani mencoba pupuk kompos dari pelatihan; biaya pupuk mereka turun hampir separuh.",
        "Tiga keluarga memanen lele dari budikdamber dan menjual sebagian hasilnya ke warung.",
    ),
    "Pendidikan": (
        "Anak-anak yang dulu jarang ke perpustakaan kini datang setiap sore untuk membaca bersama.",
        "Siswa kelas 2 SD yang ikut kelas calistung selama tiga bulan kini lancar membaca.",
    ),
    "Kesehatan": ("Kader posyandu memakai buku resep dari perpustakaan untuk menu makanan tambahan balita.",),
}

# (title, outcome, targets)
ADVOCACY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Audiensi dengan Kepala Desa tentang anggaran perpustakaan dalam APBDes", "Dana", ("Kepala Desa",)),
    ("Pengajuan dana kegiatan literasi dalam musyawarah desa", "Dana", ("Kepala Desa", "Perangkat Daerah")),
    ("Permohonan dukungan CSR untuk pengadaan komputer", "Dana", ("Swasta",)),
    ("Permohonan bantuan rak dan buku ke Dinas Perpustakaan", "NonDana", ("Perangkat Daerah",)),
    ("Koordinasi dengan Puskesmas untuk narasumber penyuluhan", "NonDana", ("Perangkat Daerah",)),
    ("Kerja sama dengan BUMDes untuk pelatihan UMKM", "NonDana", ("Lainnya",)),
    ("Permohonan narasumber dari Dinas Pertanian", "NonDana", ("Perangkat Daerah",)),
    ("Permohonan hibah buku dari toko buku setempat", "NonDana", ("Swasta",)),
    ("Pendampingan penyuluh pertanian lapangan untuk kelompok tani", "NonDana", ("Perangkat Daerah",)),
    ("Permohonan alat peraga edukasi ke pemerintah desa", "NonDana", ("Kepala Desa",)),
)
REGULATIONS = (
    ("Pengajuan Peraturan Kepala Desa tentang penyelenggaraan perpustakaan desa", "Peraturan Kepala Desa/Lurah"),
    ("Pengajuan Peraturan Kepala Desa tentang gerakan gemar membaca", "Peraturan Kepala Desa/Lurah"),
    ("Pengajuan SK Kepala Desa tentang pengelola perpustakaan desa", "Lainnya"),
)
FUNDS = (2_500_000, 5_000_000, 7_500_000, 10_000_000, 15_000_000, 25_000_000, 50_000_000)

# (jenis publikasi, nama media, link, weight). Links are platform home pages or example.org paths:
# a demo must never pass for a real post.
MEDIA: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "19": (
        ("Media Online", "Instagram", "https://www.instagram.com/", 5),
        ("Media Online", "Facebook", "https://www.facebook.com/", 5),
        ("Media Online", "YouTube", "https://www.youtube.com/", 1),
        ("Media Cetak", "Radar Bangka", "https://example.org/radar-bangka/{slug}", 2),
        ("Media Cetak", "Bangka Pos", "https://example.org/bangka-pos/{slug}", 1),
        ("Media Elektronik", "RRI Sungailiat", "https://example.org/rri-sungailiat/{slug}", 1),
    ),
    "35": (
        ("Media Online", "Instagram", "https://www.instagram.com/", 5),
        ("Media Online", "Facebook", "https://www.facebook.com/", 5),
        ("Media Online", "TikTok", "https://www.tiktok.com/", 1),
        ("Media Online", "Website desa", "https://example.org/desa/{slug}", 2),
        ("Media Cetak", "Jawa Pos Radar", "https://example.org/radar/{slug}", 1),
        ("Media Elektronik", "RRI Surabaya", "https://example.org/rri-surabaya/{slug}", 1),
    ),
}

RETURN_COMMENTS: dict[type[Any], tuple[str, ...]] = {
    CommunityEngagement: (
        "Foto kegiatan belum dilampirkan, mohon ditambahkan.",
        "Jumlah peserta belum sesuai daftar hadir, mohon diperiksa kembali.",
        "Tanggal kegiatan tampaknya keliru, mohon disesuaikan dengan undangan kegiatan.",
        "Nama kegiatan terlalu umum, mohon dilengkapi dengan topik pelatihannya.",
    ),
    Advocacy: (
        "Nominal dana belum sesuai berita acara, mohon diperbaiki.",
        "Sasaran advokasi belum tepat, mohon diperiksa kembali.",
    ),
    Publicity: ("Tautan publikasi tidak bisa dibuka, mohon periksa kembali.",),
    InformationService: ("Jumlah komputer berbeda dengan laporan sebelumnya, mohon dicek ulang.",),
    Visitors: ("Jumlah pengunjung jauh di atas bulan lalu, mohon dicek ulang dengan buku tamu.",),
}
PHOTO_COMMENT = RETURN_COMMENTS[CommunityEngagement][0]
WITHDRAW_COMMENT = "Kegiatan ini tercatat dua kali."

# What a green library needs this year for a score of 100 (DOMAIN.md, "Our default scheme").
GREEN_MINIMUM: dict[type[Any], int] = {CommunityEngagement: 8, Advocacy: 15, Publicity: 5}
RETURNED = 9
# The audit action that put a record in its final status (after the entry itself).
DECISIONS: dict[str, str] = {
    Status.VERIFIED: AuditAction.VERIFY,
    Status.RETURNED: AuditAction.RETURN,
    Status.WITHDRAWN: AuditAction.WITHDRAW,
}
PHOTOGRAPHED_ENGAGEMENTS = 40
PHOTO_COLOURS = ((11, 93, 75), (41, 98, 155), (176, 84, 40), (120, 72, 140), (60, 120, 60), (150, 120, 30))
# Kabupaten/kota whose demo facilitator verifies; elsewhere the provincial officer does.
VERIFIER_EMAILS = {
    "35.24": "fasda.lamongan",
    "19.05": "pic.bangkabarat",
    "35": "provinsi.jatim",
    "19": "konsultan",
}


@dataclass(eq=False)
class _Planned:
    """A record before it is saved, with the story of its status."""

    record: Any
    created: dt.datetime
    user: User | None
    forced: bool = False  # part of a green library's minimum: stays verified
    status: str = Status.SUBMITTED
    verifier: User | None = None
    decided: dt.datetime | None = None  # verified, returned or withdrawn at
    comment: str = ""


@dataclass
class _Reporter:
    library: Library
    manager: User | None
    level: float  # 0..1, how actively the library reports
    green: bool


def demo_records_load(*, rng: random.Random, domain: str, green_regions: set[str]) -> int:
    """Create the demo libraries' records, their audit trail and some photos; return how many records."""
    return _RecordMaker(rng=rng, domain=domain, green_regions=green_regions).run()


class _RecordMaker:
    def __init__(self, *, rng: random.Random, domain: str, green_regions: set[str]) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.start = dt.date(self.today.year - 1, 1, 1)
        self.tz = timezone.get_current_timezone()
        self.green_regions = green_regions
        users = User.objects.in_bulk([f"{local}@{domain}" for local in VERIFIER_EMAILS.values()], field_name="email")
        self.verifiers = {area: users[f"{local}@{domain}"] for area, local in VERIFIER_EMAILS.items()}
        self.plans: list[_Planned] = []

    def run(self) -> int:
        for reporter in self._reporters():
            self._library_records(reporter)
        self._decide_statuses()
        self._special_cases()
        self._replications()
        self._save()
        self._photos()
        # Scores follow records (the KPI listens); the demo's libraries open with their colours.
        library_ids = {p.record.library_id for p in self.plans if hasattr(p.record, "library_id")}
        months = record_months(p.record for p in self.plans)
        records_changed.send(sender=_RecordMaker, library_ids=library_ids, months=months)
        return len(self.plans)

    # -- who reports ------------------------------------------------------------------------------

    def _reporters(self) -> list[_Reporter]:
        managers = {
            m.library_id: m.user
            for m in Membership.objects.filter(role=Role.MANAGER, library__isnull=False).select_related("user")
        }
        reporters = []
        for library in Library.objects.filter(is_active=True, pk__in=managers).order_by("pk"):
            user = managers[library.pk]
            green = library.region_id in self.green_regions
            if user.has_usable_password():
                level = 1.0 if green else self.rng.uniform(0.1, 1.0)
                reporters.append(_Reporter(library=library, manager=user, level=level, green=green))
            elif self.rng.random() < 0.6:
                # Invited, not yet activated: a few records the kabupaten keyed in from paper reports.
                reporters.append(
                    _Reporter(library=library, manager=None, level=self.rng.uniform(0.05, 0.25), green=False)
                )
        return reporters

    # -- one library ------------------------------------------------------------------------------

    def _library_records(self, reporter: _Reporter) -> None:
        first = max(self.start, dt.date(reporter.library.cohort_year, 1, 1))
        if first > self.today:
            return
        months = _months(first, self.today)
        self._dated(reporter, months, CommunityEngagement, 1.5, self._engagement)
        self._dated(reporter, months, Advocacy, 1.4, self._advocacy)
        self._dated(reporter, months, Publicity, 0.5, self._publicity)
        self._visitors(reporter, months)
        self._information_service(reporter, months)

    def _dated(
        self, reporter: _Reporter, months: list[tuple[int, int]], model: type[Any], rate: float, make: Any
    ) -> None:
        expected = rate * reporter.level
        days = []
        for year, month in months:
            n = int(expected) + (self.rng.random() < expected - int(expected))
            days += [self._day_in(year, month) for _ in range(n)]
        if reporter.green:
            this_year = [d for d in days if d.year == self.today.year]
            days += [
                self._day_in(self.today.year, self.rng.randint(1, self.today.month))
                for _ in range(max(0, GREEN_MINIMUM[model] - len(this_year)))
            ]
        days.sort()
        plans = [self._plan(reporter, make(reporter, day), day) for day in days]
        if reporter.green:
            this_year_plans = [p for p in plans if p.record.date.year == self.today.year]
            for plan in this_year_plans[: GREEN_MINIMUM[model]]:
                plan.forced = True

    def _engagement(self, reporter: _Reporter, day: dt.date) -> CommunityEngagement:
        rng = self.rng
        province = reporter.library.province_id
        title, field, kind, audiences, _where = rng.choice([a for a in ACTIVITIES if a[4] in ("", province)])
        participants = rng.randint(8, 35) if kind == "Pelatihan" else rng.randint(15, 80)
        female = round(participants * rng.uniform(0.3, 0.75))
        story = rng.choice(STORIES[field]) if field in STORIES and rng.random() < 0.12 else ""
        return CommunityEngagement(
            library=reporter.library,
            date=day,
            title=title,
            activity_field=field,
            activity_kind=kind,
            audience=rng.choice(audiences),
            participants=participants,
            participants_male=participants - female,
            participants_female=female,
            participants_disability=rng.randint(1, 3) if rng.random() < 0.25 else 0,
            story=story,
        )

    def _advocacy(self, reporter: _Reporter, day: dt.date) -> Advocacy:
        rng = self.rng
        record = Advocacy(library=reporter.library, date=day)
        if rng.random() < 0.05 and reporter.library.kind in (LibraryKind.VILLAGE, LibraryKind.TBM):
            record.title, record.regulation_kind = rng.choice(REGULATIONS)
            record.outcome, record.targets = AdvocacyOutcome.REGULATION, ["Kepala Desa"]
            record.regulation_date = min(day + dt.timedelta(days=rng.randint(0, 20)), self.today)
            return record
        title, outcome, targets = rng.choice(ADVOCACY)
        record.title, record.outcome, record.targets = title, outcome, list(targets)
        if outcome == AdvocacyOutcome.FUNDS:
            record.amount = rng.choice(FUNDS)
        elif "narasumber" in title or "penyuluh" in title or "BUMDes" in title:
            record.resource_persons = rng.randint(1, 3)
        else:
            record.goods = rng.randint(2, 30) * 10
        return record

    def _publicity(self, reporter: _Reporter, day: dt.date) -> Publicity:
        rng = self.rng
        media = MEDIA[reporter.library.province_id]
        kind, name, link, _weight = rng.choices(media, weights=[m[3] for m in media])[0]
        activity = rng.choice(ACTIVITIES)[0]
        title = f"{activity} di {reporter.library.name}"
        return Publicity(
            library=reporter.library,
            date=day,
            title=title,
            media_kind=kind,
            media_name=name,
            link=link.format(slug=f"{day:%Y/%m}/{_slug(title)}"),
        )

    def _visitors(self, reporter: _Reporter, months: list[tuple[int, int]]) -> None:
        rng = self.rng
        big = reporter.library.kind in (LibraryKind.PROVINCE, LibraryKind.REGENCY)
        base = rng.randint(900, 4000) if big else rng.randint(40, 350)
        share = rng.uniform(0.45, 0.62)
        # A month is reported once it is over; a green library reports this January even on 2 January.
        reported = months[:-1] if months[-1] != (self.today.year, 1) or not reporter.green else months
        for year, month in reported:
            if not reporter.green and rng.random() > 0.4 + 0.6 * reporter.level:
                continue
            holidays = 1.3 if month in (6, 7, 12) else 1.0
            total = max(1, round(base * holidays * rng.uniform(0.7, 1.3)))
            female = round(total * share)
            record = Visitors(library=reporter.library, year=year, month=month, male=total - female, female=female)
            record.total = total
            after = dt.date(year, month, calendar.monthrange(year, month)[1]) + dt.timedelta(days=rng.randint(1, 8))
            self._plan(reporter, record, min(after, self.today))

    def _information_service(self, reporter: _Reporter, months: list[tuple[int, int]]) -> None:
        rng = self.rng
        big = reporter.library.kind in (LibraryKind.PROVINCE, LibraryKind.REGENCY)
        books = (
            rng.randint(15_000, 60_000)
            if big
            else rng.randint(1_100, 2_400)
            if reporter.green
            else rng.randint(400, 1_900)
        )
        digital = rng.randint(100, 400) if reporter.green or big else rng.choice((0, 0, 20, 50, 80, 120))
        computers = rng.randint(8, 30) if big else rng.randint(3, 6) if reporter.green else rng.randint(0, 4)
        bandwidth = (
            rng.choice((50, 100, 200))
            if big
            else rng.choice((20, 30, 50))
            if reporter.green
            else rng.choice((0, 5, 10, 20, 30))
        )
        for year, month in months:
            if month not in (1, 7):
                continue
            if not reporter.green and rng.random() > 0.3 + 0.7 * reporter.level:
                continue
            record = InformationService(
                library=reporter.library,
                year=year,
                month=month,
                books=books,
                digital_books=digital,
                computers=computers,
                bandwidth=Decimal(bandwidth),
            )
            last = calendar.monthrange(year, month)[1]
            day = dt.date(year, month, rng.randint(5 if month != 1 else 2, last))
            plan = self._plan(reporter, record, min(day, self.today))
            plan.forced = reporter.green and (year, month) == (self.today.year, 1)
            # The collection grows between reports.
            books += rng.randint(0, 150)
            digital += rng.choice((0, 0, 10, 25))

    # -- bookkeeping ------------------------------------------------------------------------------

    def _day_in(self, year: int, month: int) -> dt.date:
        """A random day of the month, never 1 January (the real SIM's stand-in for an empty date)."""
        last = (
            self.today.day
            if (year, month) == (self.today.year, self.today.month)
            else calendar.monthrange(year, month)[1]
        )
        first = 2 if month == 1 else 1
        return dt.date(year, month, self.rng.randint(min(first, last), last))

    def _plan(self, reporter: _Reporter, record: Any, day: dt.date) -> _Planned:
        """Entered a few days after the activity, in the daytime, by the library's manager."""
        lag = self.rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 7)) if hasattr(record, "date") else 0
        created = self._moment(min(day + dt.timedelta(days=lag), self.today))
        if hasattr(record, "date") and record.date > timezone.localtime(created).date():
            record.date = timezone.localtime(created).date()
        record.client_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        plan = _Planned(record=record, created=created, user=reporter.manager)
        self.plans.append(plan)
        return plan

    def _moment(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(7, 21), self.rng.randint(0, 59)), tzinfo=self.tz)
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(5, 90)))

    def _verifier(self, library: Library) -> User:
        return self.verifiers.get(library.regency_id or "") or self.verifiers[library.province_id]

    def _decide_statuses(self) -> None:
        """Verified a few days after entry; the last weeks' records and a backlog of a few months still wait."""
        rng = self.rng
        for plan in self.plans:
            age = (self.now - plan.created).days
            waiting = 0.75 if age < 10 else 0.25 if age < 45 else 0.06 if age < 120 else 0.0
            decided = plan.created + dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
            if plan.forced and decided >= self.now:
                decided = plan.created + (self.now - plan.created) / 2
            if not plan.forced and (rng.random() < waiting or decided >= self.now):
                continue
            plan.status, plan.decided = Status.VERIFIED, decided
            plan.verifier = self._verifier(plan.record.library)

    def _special_cases(self) -> None:
        """A few returned records, a couple of drafts and one withdrawn duplicate."""
        rng = self.rng
        entered = [p for p in self.plans if p.user is not None and not p.forced]
        belo_laut = [p for p in entered if p.record.library.region_id == "19.05.01.2006"]
        returnable = [p for p in entered if 5 <= (self.now - p.created).days <= 150]
        # The demo manager's library gets exactly the one return below, whatever day the demo is built.
        elsewhere = [p for p in returnable if p.record.library.region_id != "19.05.01.2006"]
        returned = rng.sample(elsewhere, min(RETURNED, len(elsewhere)))
        engagements = [p for p in belo_laut if isinstance(p.record, CommunityEngagement) and p in returnable]
        if engagements:
            # The demo manager's page opens with a record to correct.
            self._return(engagements[-1], PHOTO_COMMENT)
        for plan in returned:
            if plan.status != Status.RETURNED:
                self._return(plan, rng.choice(RETURN_COMMENTS[type(plan.record)]))
        recent = [
            p
            for p in entered
            if (self.now - p.created).days < 20
            and p.status == Status.SUBMITTED
            and isinstance(p.record, CommunityEngagement | Advocacy | Publicity)
        ]
        for plan in rng.sample(recent, min(2, len(recent))):
            plan.status = Status.DRAFT
        if belo_laut:
            # The demo manager also has a publicity saved as a draft yesterday, still to be sent.
            library, manager = belo_laut[0].record.library, belo_laut[0].user
            reporter = _Reporter(library=library, manager=manager, level=1.0, green=True)
            yesterday = self.today - dt.timedelta(days=1)
            self._plan(reporter, self._publicity(reporter, yesterday), yesterday).status = Status.DRAFT
        self._withdrawn_duplicate(
            [p for p in entered if isinstance(p.record, CommunityEngagement) and p.status == Status.VERIFIED]
        )

    def _return(self, plan: _Planned, comment: str) -> None:
        plan.status, plan.comment = Status.RETURNED, comment
        plan.verifier = self._verifier(plan.record.library)
        plan.decided = min(plan.created + dt.timedelta(days=self.rng.randint(1, 4)), self.now - dt.timedelta(hours=1))

    def _withdrawn_duplicate(self, candidates: list[_Planned]) -> None:
        if not candidates:
            return
        original = self.rng.choice(candidates)
        record = CommunityEngagement(
            **{
                name: getattr(original.record, name)
                for name in (
                    "library",
                    "date",
                    "title",
                    "activity_field",
                    "activity_kind",
                    "audience",
                    "participants",
                    "participants_male",
                    "participants_female",
                    "participants_disability",
                )
            }
        )
        record.client_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        created = original.created + dt.timedelta(minutes=self.rng.randint(20, 180))
        self.plans.append(
            _Planned(
                record=record,
                created=created,
                user=original.user,
                status=Status.WITHDRAWN,
                decided=created + dt.timedelta(hours=2),
                comment=WITHDRAW_COMMENT,
            )
        )

    def _replications(self) -> None:
        """Kab. Bangka Barat funds the model from its APBD (verified); Kab. Lamongan's waits for the province."""
        year = self.today.year
        bangka_barat = Replication(
            region_id="19.05", year=year - 1, funds=600_000_000, funding_source="APBD", villages=20
        )
        lamongan = Replication(region_id="35.24", year=year, funds=375_000_000, funding_source="APBDes", villages=25)
        for record, entered_by, verifier, days_ago in (
            (bangka_barat, self.verifiers["19.05"], self.verifiers["19"], 200),
            (lamongan, self.verifiers["35.24"], None, 9),
        ):
            record.client_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
            created = self.now - dt.timedelta(days=min(days_ago, (self.now.date() - self.start).days), hours=3)
            plan = _Planned(record=record, created=created, user=entered_by)
            if verifier is not None:
                plan.status, plan.verifier, plan.decided = Status.VERIFIED, verifier, created + dt.timedelta(days=6)
            self.plans.append(plan)

    # -- saving -----------------------------------------------------------------------------------

    def _save(self) -> None:
        by_model: dict[type[Any], list[_Planned]] = defaultdict(list)
        for plan in self.plans:
            record = plan.record
            record.status = plan.status
            record.entered_by = plan.user
            record.input_date = timezone.localtime(plan.created).date()
            if plan.status == Status.VERIFIED:
                record.verified_by, record.verified_at = plan.verifier, plan.decided
            if plan.status == Status.RETURNED:
                record.return_comment = plan.comment
            by_model[type(record)].append(plan)
        for model, plans in by_model.items():
            model.objects.bulk_create([p.record for p in plans], batch_size=500)
            _set_timestamps(model, [(p.record.pk, p.created, p.decided or p.created) for p in plans])
            self._audit(plans)

    def _audit(self, plans: list[_Planned]) -> None:
        """One entry per step of each record's history, grouped into one INSERT per actor."""
        groups: dict[tuple[str, int | None, str], list[tuple[Any, dt.datetime]]] = defaultdict(list)
        users: dict[int | None, User | None] = {None: None}
        for plan in plans:
            creator = plan.user.pk if plan.user else None
            users[creator] = plan.user
            groups[(AuditAction.CREATE, creator, "")].append((plan.record, plan.created))
            decision = DECISIONS.get(plan.status)
            if decision is None or plan.decided is None:
                continue
            actor = plan.user if decision == AuditAction.WITHDRAW else plan.verifier
            users[actor.pk if actor else None] = actor
            comment = plan.comment if decision != AuditAction.VERIFY else ""
            groups[(decision, actor.pk if actor else None, comment)].append((plan.record, plan.decided))
        for (action, user_id, comment), entries in groups.items():
            audit_log_many(
                records=[record for record, _at in entries],
                action=action,
                user=users[user_id],
                comment=comment,
                at=[at for _record, at in entries],
            )

    def _photos(self) -> None:
        """1–2 generated photos for the most recent engagements, so the screens that show evidence have some."""
        engagements = sorted(
            (p for p in self.plans if isinstance(p.record, CommunityEngagement) and p.comment != PHOTO_COMMENT),
            key=lambda p: (p.record.date, p.record.pk),
            reverse=True,
        )[:PHOTOGRAPHED_ENGAGEMENTS]
        prepared = photos_prepare(files=list(_demo_photo_files()))
        for plan in engagements:
            count = self.rng.randint(1, 2)
            start = self.rng.randrange(len(prepared))
            chosen = [prepared[(start + i) % len(prepared)] for i in range(count)]
            photos_save(record=plan.record, prepared=chosen, user=plan.user)


def _set_timestamps(model: type[Any], rows: Sequence[tuple[int, dt.datetime, dt.datetime]]) -> None:
    """Give saved records their own creation and last-change moments.

    bulk_create stamps auto_now(_add) fields with the present. One prepared UPDATE run for every row
    takes a fraction of bulk_update's time, which builds a CASE expression of every row per batch.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET created_at = %s, updated_at = %s WHERE id = %s",  # noqa: S608 (no user input)
            [(adapt(created), adapt(updated), pk) for pk, created, updated in rows],
        )


def _slug(title: str, limit: int = 60) -> str:
    slug = slugify(title)
    return slug if len(slug) <= limit else slug[:limit].rsplit("-", 1)[0]


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _demo_photo_files() -> Iterable[SimpleUploadedFile]:
    """Plain coloured pictures that say "Foto demo", so nobody mistakes them for real evidence."""
    font = ImageFont.load_default(size=64)
    small = ImageFont.load_default(size=24)
    for index, colour in enumerate(PHOTO_COLOURS):
        image = Image.new("RGB", (640, 480), colour)
        draw = ImageDraw.Draw(image)
        draw.rectangle((24, 24, 615, 455), outline=(255, 255, 255), width=4)
        draw.text((320, 220), "Foto demo", fill=(255, 255, 255), font=font, anchor="mm")
        draw.text((320, 300), "SIM TPBIS · data contoh", fill=(235, 235, 235), font=small, anchor="mm")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        yield SimpleUploadedFile(f"foto-demo-{index + 1}.jpg", buffer.getvalue(), content_type="image/jpeg")
