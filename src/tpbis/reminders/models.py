"""Reminder rules as data (*aturan pengingat*), the log of what they sent, and last week's colours."""

from __future__ import annotations

from string import Formatter
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tpbis.accounts.models import Role
from tpbis.kpi.models import Colour
from tpbis.regions.models import Level, Region


class RuleKind(models.TextChoices):
    SILENT_MANAGER = "pengelola_diam", _("Pengelola tanpa laporan selama N hari")
    VISITORS_MISSING = "pengunjung_belum", _("Laporan pengunjung bulan lalu belum masuk setelah tanggal D")
    VERIFICATION_WAITING = "verifikasi_menunggu", _("Laporan menunggu verifikasi lebih dari N hari")
    NO_ACCOUNT = "tanpa_akun", _("Mitra belum punya akun (daftar untuk fasilitator)")
    WEEKLY_SUMMARY = "ringkasan_mingguan", _("Ringkasan mingguan untuk petugas provinsi")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Senin")
    TUESDAY = 1, _("Selasa")
    WEDNESDAY = 2, _("Rabu")
    THURSDAY = 3, _("Kamis")
    FRIDAY = 4, _("Jumat")
    SATURDAY = 5, _("Sabtu")
    SUNDAY = 6, _("Minggu")


# Who a rule of each kind may address; the first is the default.
AUDIENCES: dict[str, tuple[str, ...]] = {
    RuleKind.SILENT_MANAGER: (Role.MANAGER,),
    RuleKind.VISITORS_MISSING: (Role.MANAGER,),
    RuleKind.VERIFICATION_WAITING: (Role.FACILITATOR, Role.PROVINCE),
    RuleKind.NO_ACCOUNT: (Role.FACILITATOR, Role.PROVINCE),
    RuleKind.WEEKLY_SUMMARY: (Role.PROVINCE,),
}
# The settings each kind uses: N days, day of the month D, weekday.
USES_DAYS = frozenset({RuleKind.SILENT_MANAGER, RuleKind.VERIFICATION_WAITING, RuleKind.WEEKLY_SUMMARY})
USES_DAY_OF_MONTH = frozenset({RuleKind.VISITORS_MISSING})
USES_WEEKDAY = frozenset({RuleKind.NO_ACCOUNT, RuleKind.WEEKLY_SUMMARY})
# Words a message may contain in braces, filled in per reminder.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    RuleKind.SILENT_MANAGER: frozenset({"perpustakaan", "hari"}),
    RuleKind.VISITORS_MISSING: frozenset({"perpustakaan", "bulan", "tanggal"}),
    RuleKind.VERIFICATION_WAITING: frozenset({"wilayah", "jumlah", "hari"}),
    RuleKind.NO_ACCOUNT: frozenset({"wilayah", "jumlah"}),
    RuleKind.WEEKLY_SUMMARY: frozenset({"wilayah", "hari"}),
}
MAX_DAYS = 365
MAX_DAY_OF_MONTH = 28  # every month has the day


def message_placeholders(message: str) -> set[str]:
    """The {names} in a message; raises ValueError on unbalanced braces."""
    return {name for _text, name, _spec, _conv in Formatter().parse(message) if name is not None}


class ReminderRule(models.Model):
    """One kind of reminder for the nation (no region) or one province, which then overrides the national
    rule of the same kind for its libraries."""

    kind = models.CharField(_("jenis pengingat"), max_length=24, choices=RuleKind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provinsi"),
        help_text=_("Kosong berarti aturan nasional."),
    )
    audience = models.CharField(_("penerima"), max_length=12, choices=Role.choices)
    enabled = models.BooleanField(_("aktif"), default=True)
    days = models.PositiveSmallIntegerField(_("N hari"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("setelah tanggal D"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("hari kirim"), choices=Weekday.choices, null=True, blank=True)
    message = models.TextField(_("isi pesan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aturan pengingat")
        verbose_name_plural = _("aturan pengingat")
        ordering = ["kind", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(region__isnull=True), name="reminderrule_national"),
            models.UniqueConstraint(fields=["kind", "region"], name="reminderrule_province"),
            models.CheckConstraint(condition=Q(days__isnull=True) | Q(days__gte=1), name="reminderrule_days_positive"),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True) | Q(day_of_month__gte=1, day_of_month__lte=MAX_DAY_OF_MONTH),
                name="reminderrule_day_of_month",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id and self.region else _("Nasional")
        return f"{self.get_kind_display()} ({where})"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.kind not in RuleKind.values:
            raise ValidationError({"kind": _("Jenis pengingat tidak dikenal.")})
        if self.audience not in AUDIENCES[self.kind]:
            errors["audience"] = [_("Pengingat jenis ini tidak bisa dikirim ke peran tersebut.")]
        if self.kind in USES_DAYS and (self.days is None or not 1 <= self.days <= MAX_DAYS):
            errors["days"] = [_("Isi N antara 1 dan %(max)d hari.") % {"max": MAX_DAYS}]
        if self.kind in USES_DAY_OF_MONTH and (
            self.day_of_month is None or not 1 <= self.day_of_month <= MAX_DAY_OF_MONTH
        ):
            errors["day_of_month"] = [_("Isi tanggal antara 1 dan %(max)d.") % {"max": MAX_DAY_OF_MONTH}]
        if self.kind in USES_WEEKDAY and self.weekday not in Weekday.values:
            errors["weekday"] = [_("Pilih hari pengiriman.")]
        if self.region_id and self.region and self.region.level != Level.PROVINCE:
            errors["region"] = [_("Aturan wilayah hanya untuk satu provinsi.")]
        message_error = _message_error(self.kind, self.message or "")
        if message_error:
            errors["message"] = [message_error]
        if errors:
            raise ValidationError(errors)


def _message_error(kind: str, message: str) -> str:
    if not message.strip():
        return str(_("Isi pesan wajib diisi."))
    try:
        names = message_placeholders(message)
    except ValueError:
        return str(_("Kurung kurawal { } tidak berpasangan."))
    unknown = sorted(names - PLACEHOLDERS[kind])
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS[kind]))
        return str(
            _("Kata {%(name)s} tidak dikenal. Yang bisa dipakai: %(allowed)s.")
            % {"name": unknown[0], "allowed": allowed}
        )
    return ""


class ReminderLog(models.Model):
    """One reminder that reached a person (a notification was created), with why it was sent."""

    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="log", verbose_name=_("aturan"))
    kind = models.CharField(_("jenis pengingat"), max_length=24, choices=RuleKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("penerima")
    )
    # Plain id: a notification may be cleared by its owner without touching the log.
    notification_id = models.BigIntegerField(null=True, blank=True)
    library = models.ForeignKey("libraries.Library", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The region the reminder concerns (the library's village, or the kabupaten/kota or province of a list).
    region_code = models.CharField(_("wilayah"), max_length=20, db_index=True)
    period = models.DateField(_("periode"))
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(_("judul"), max_length=200)
    reason = models.CharField(_("alasan"), max_length=300)
    sent_at = models.DateTimeField(_("dikirim"), auto_now_add=True)

    class Meta:
        verbose_name = _("log pengingat")
        verbose_name_plural = _("log pengingat")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["sent_at"], name="reminderlog_sent")]

    def __str__(self) -> str:
        return f"{self.dedupe_key} → {self.recipient_id}"


class ColourMark(models.Model):
    """A library's KPI colour when its province's last weekly summary went out: the next summary lists the
    libraries whose colour differs from it."""

    library = models.OneToOneField("libraries.Library", on_delete=models.CASCADE, primary_key=True, related_name="+")
    colour = models.CharField(max_length=14, choices=Colour.choices)
    marked_on = models.DateField()

    class Meta:
        verbose_name = _("warna pekan lalu")
        verbose_name_plural = _("warna pekan lalu")

    def __str__(self) -> str:
        return f"{self.library_id}: {self.colour}"
