"""KPI (*IKU*) schemes as data, and the stored scores they produce."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tpbis.libraries.models import Library, LibraryKind


class Colour(models.TextChoices):
    GREEN = "hijau", _("Hijau (tinggi)")
    YELLOW = "kuning", _("Kuning (sedang)")
    RED = "merah", _("Merah (rendah)")
    NONE = "belum_dinilai", _("Belum Dinilai")


class Scheme(models.Model):
    """A scoring scheme, in effect from a date for some library kinds (all when none are listed)."""

    name = models.CharField(_("nama skema"), max_length=150)
    effective_from = models.DateField(_("berlaku sejak"))
    effective_until = models.DateField(
        _("berlaku sampai"),
        null=True,
        blank=True,
        help_text=_("Kosongkan bila berlaku seterusnya. Sesudah tanggal ini skema sebelumnya berlaku lagi."),
    )
    library_kinds = models.JSONField(
        _("jenis perpustakaan"), default=list, blank=True, help_text=_("Kosong berarti semua jenis.")
    )
    green_above = models.DecimalField(_("hijau jika skor di atas"), max_digits=5, decimal_places=2, default=75)
    yellow_above = models.DecimalField(_("kuning jika skor di atas"), max_digits=5, decimal_places=2, default=25)
    is_active = models.BooleanField(_("aktif"), default=True)
    notes = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skema IKU")
        verbose_name_plural = _("skema IKU")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%d-%m-%Y})"

    def clean(self) -> None:
        kinds = set(self.library_kinds or [])
        unknown = kinds - set(LibraryKind.values)
        if unknown:
            raise ValidationError(
                {"library_kinds": _("Jenis perpustakaan tidak dikenal: %s") % ", ".join(sorted(unknown))}
            )
        if self.effective_until is not None and self.effective_from and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": _("Tanggal akhir tidak boleh sebelum tanggal mulai berlaku.")})
        if self.yellow_above is not None and self.green_above is not None and self.yellow_above >= self.green_above:
            raise ValidationError({"yellow_above": _("Batas kuning harus di bawah batas hijau.")})


class RecordType(models.TextChoices):
    ENGAGEMENT = "pelibatan", _("Pelibatan masyarakat")
    ADVOCACY = "advokasi", _("Advokasi")
    PUBLICITY = "publikasi", _("Publikasi")
    INFORMATION = "peningkatan", _("Peningkatan layanan informasi")
    VISITORS = "pengunjung", _("Pengunjung")


class Measure(models.TextChoices):
    COUNT = "count", _("Jumlah laporan terverifikasi sejak 1 Januari")
    REPORTED = "reported", _("Pernah melapor tahun ini")
    LATEST = "latest", _("Nilai terakhir sebuah isian")


class TargetGrowth(models.TextChoices):
    FIXED = "fixed", _("Tetap")
    MONTHLY = "monthly", _("Tumbuh per bulan berjalan")


# Fields of the information-service record a LATEST component may read.
LATEST_FIELDS = {
    "books": _("jumlah buku"),
    "digital_books": _("jumlah buku digital"),
    "computers": _("jumlah komputer"),
    "bandwidth": _("bandwidth (Mbps)"),
}


class Component(models.Model):
    """One part of a scheme: points = weight × min(achieved, cap) / target, rounded down to a step."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    label = models.CharField(_("nama komponen"), max_length=120)
    record_type = models.CharField(_("jenis laporan"), max_length=12, choices=RecordType.choices)
    measure = models.CharField(_("ukuran"), max_length=10, choices=Measure.choices)
    field = models.CharField(_("isian (untuk nilai terakhir)"), max_length=20, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    target_growth = models.CharField(
        _("pertumbuhan target"), max_length=8, choices=TargetGrowth.choices, default=TargetGrowth.FIXED
    )
    weight = models.DecimalField(_("bobot (poin)"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(
        _("batas capaian"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Capaian di atas batas ini tidak dihitung. Kosong berarti sama dengan target."),
    )
    rounding_step = models.DecimalField(
        _("pembulatan ke bawah kelipatan"), max_digits=6, decimal_places=4, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("komponen IKU")
        verbose_name_plural = _("komponen IKU")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.measure == Measure.LATEST:
            if self.record_type != RecordType.INFORMATION or self.field not in LATEST_FIELDS:
                errors["field"] = _("Nilai terakhir hanya untuk isian laporan layanan informasi.")
        elif self.field:
            errors["field"] = _("Isian hanya dipakai untuk ukuran nilai terakhir.")
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = _("Bobot harus lebih dari 0.")
        if errors:
            raise ValidationError(errors)


class CurrentScore(models.Model):
    """Each library's score as of its last computation (normally today), kept fresh on every change."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, primary_key=True, related_name="current_score")
    as_of = models.DateField()
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    colour = models.CharField(max_length=14, choices=Colour.choices)
    # [{"component": id, "label": ..., "achieved": ..., "target": ..., "points": ..., "weight": ...}, ...]
    parts = models.JSONField(default=list)
    # Digest of scheme, score and every part: a recomputation that changes nothing writes nothing.
    signature = models.CharField(max_length=32, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("skor terkini")
        verbose_name_plural = _("skor terkini")
        indexes = [
            models.Index(fields=["colour"]),
            models.Index(fields=["score"]),
            # The nation's colour counts join every partner's score: read from this index (3 MB on the whole
            # country) instead of the rows, whose breakdowns make them 164 MB (the partner groups of the
            # national dashboard: 300-375 -> 250-280 ms). SQLite, without covering indexes, gets a plain one.
            models.Index(fields=["library"], include=["colour", "score", "as_of"], name="currentscore_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.score}"


class MonthScore(models.Model):
    """A library's score at a month end, for trends."""

    # Its unique (library, month_end) index serves the library look-ups: no second index on the column.
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="month_scores", db_index=False)
    month_end = models.DateField()
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    colour = models.CharField(max_length=14, choices=Colour.choices)

    class Meta:
        verbose_name = _("skor akhir bulan")
        verbose_name_plural = _("skor akhir bulan")
        constraints = [models.UniqueConstraint(fields=["library", "month_end"], name="monthscore_unique")]
        # Rankings and colour counts of one month end (dashboards of a past month). The library and colour
        # ride along: the country's colour counts of a month end read the index alone (PostgreSQL), not
        # 35,000 table pages where each library's months lie together (60-340 ms).
        indexes = [
            models.Index(fields=["month_end", "score"], include=["library", "colour"], name="monthscore_month_score")
        ]

    def __str__(self) -> str:
        return f"{self.library_id} {self.month_end}: {self.score}"


class DayScore(models.Model):
    """A library's score on a past day that is not a month end (a dashboard of a period ending mid-month),
    stored on the first request for that day and dropped by every write that could change it: a record
    change drops the library's days from the first touched month to the end of that year, a scheme change
    drops them all. The kind it was scored as is kept: a row whose kind is no longer the library's (an
    edit or an import changed it) is not read, and is replaced when the day is asked for again. A library
    no scheme applies to has a row without a score, so a missing row always means "not computed yet"."""

    # Its unique (library, as_of) index serves the library look-ups: no second index on the column. No
    # foreign key in the database either: a country's new day checked 83,762 keys at commit (0.6 s); the
    # rows are a cache of scores, deleted with their library by Django (CASCADE), and every read joins the
    # library.
    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, related_name="day_scores", db_index=False, db_constraint=False
    )
    as_of = models.DateField()
    kind = models.CharField(max_length=16, choices=LibraryKind.choices)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    colour = models.CharField(max_length=14, choices=Colour.choices)

    class Meta:
        verbose_name = _("skor harian")
        verbose_name_plural = _("skor harian")
        constraints = [models.UniqueConstraint(fields=["library", "as_of"], name="dayscore_unique")]
        # Rankings and colour counts of one day, as for a month end.
        indexes = [
            models.Index(fields=["as_of", "score"], include=["library", "kind", "colour"], name="dayscore_day_score")
        ]

    def __str__(self) -> str:
        return f"{self.library_id} {self.as_of}: {self.score}"


class MonthFacts(models.Model):
    """What one library reported in one month, as the KPI counts it: the small table month-end scores and
    mid-month scores are summed from (a year's facts are the sum of its months), so a write rescans only
    the months it touched. A month with nothing counted has no row."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month
    # Verified records with a known date in the month, per dated record type.
    engagement = models.PositiveIntegerField(default=0)
    advocacy = models.PositiveIntegerField(default=0)
    publicity = models.PositiveIntegerField(default=0)
    # A verified monthly report for the month.
    information = models.BooleanField(default=False)
    visitors = models.BooleanField(default=False)
    # Any submitted or verified record: dated ones (by their date), monthly ones (by their month).
    dated_any = models.BooleanField(default=False)
    monthly_any = models.BooleanField(default=False)
    # The month's latest verified information-service figures (last entered), when `information`.
    books = models.PositiveIntegerField(null=True)
    digital_books = models.PositiveIntegerField(null=True)
    computers = models.PositiveIntegerField(null=True)
    bandwidth = models.DecimalField(max_digits=8, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("fakta IKU bulanan")
        verbose_name_plural = _("fakta IKU bulanan")
        constraints = [models.UniqueConstraint(fields=["library", "month"], name="monthfacts_unique")]
        indexes = [models.Index(fields=["month"], name="monthfacts_month")]

    def __str__(self) -> str:
        return f"{self.library_id} {self.month:%Y-%m}"


class FactsBuilt(models.Model):
    """One row once `kpi_recompute` has built the month facts of every library: until then a past day
    is scored from the record tables, not from facts that may be missing."""

    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fakta IKU terbentuk")
        verbose_name_plural = _("fakta IKU terbentuk")

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M}"


class ScoredYear(models.Model):
    """A digest of what a library's month-end scores of one year were last computed from (its month
    facts, kind, the schemes and how many month ends had passed): `kpi_recompute` rescores only the
    library-years whose digest moved, so a run with nothing changed reads two small tables and writes
    nothing."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    digest = models.BigIntegerField()

    class Meta:
        verbose_name = _("tahun skor IKU")
        verbose_name_plural = _("tahun skor IKU")
        constraints = [models.UniqueConstraint(fields=["library", "year"], name="scoredyear_unique")]

    def __str__(self) -> str:
        return f"{self.library_id} {self.year}"
