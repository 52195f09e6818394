"""Gatherings: online or in-person meetings where a region presents its KPI figures, libraries share
good practice and the group agrees follow-ups for named libraries' problems."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tpbis.libraries.models import Library
from tpbis.regions.models import Region


def checkin_token() -> str:
    return secrets.token_urlsafe(18)


class Gathering(models.Model):
    """One gathering (*pertemuan*): its plan, its invitees, and once started, the figures it presented."""

    title = models.CharField(gettext_lazy("judul"), max_length=200)
    date = models.DateField(gettext_lazy("tanggal"))
    start_time = models.TimeField(gettext_lazy("jam mulai"))
    end_time = models.TimeField(gettext_lazy("jam selesai"))
    online_link = models.URLField(gettext_lazy("tautan daring"), max_length=500, blank=True)
    place = models.CharField(gettext_lazy("tempat"), max_length=300, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("wilayah"))
    period_start = models.DateField(gettext_lazy("periode mulai"))
    period_end = models.DateField(gettext_lazy("periode sampai"))
    # [{"name": "...", "role": "Pelatih Ahli"}, ...] in the order the organiser wrote them.
    speakers = models.JSONField(gettext_lazy("pembicara"), default=list, blank=True)
    agenda = models.TextField(gettext_lazy("agenda"), blank=True)
    invite_all = models.BooleanField(gettext_lazy("undang semua mitra wilayah"), default=True)
    libraries: models.ManyToManyField[Library, Invitee] = models.ManyToManyField(
        Library, through="Invitee", related_name="+", verbose_name=gettext_lazy("perpustakaan diundang")
    )
    checkin_token = models.CharField(max_length=40, default=checkin_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once, by gathering_freeze: the gathering report as it was presented (see gatherings.frozen).
    started_at = models.DateTimeField(gettext_lazy("dimulai"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen_report = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("gathering")
        verbose_name_plural = gettext_lazy("gathering")
        ordering = ["-date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="gathering_ends_after_start"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="gathering_period_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.end_time))

    @property
    def is_started(self) -> bool:
        return self.started_at is not None


class Invitee(models.Model):
    """A library invited to a gathering."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="invitees")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gathering", "library"], name="gathering_invitee_unique")]

    def __str__(self) -> str:
        return f"{self.gathering_id}: {self.library_id}"


class Registration(models.Model):
    """A library manager's "I will come" (*daftar hadir*), once per person."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gathering", "user"], name="gathering_registration_unique")]

    def __str__(self) -> str:
        return f"{self.gathering_id}: {self.user_id}"


class AttendanceMethod(models.TextChoices):
    CHECKIN = "checkin", gettext_lazy("Tautan/QR saat acara")
    ORGANISER = "organiser", gettext_lazy("Dicatat penyelenggara")


class Attendance(models.Model):
    """A manager who was there (*hadir*), once per person, by the check-in link or marked afterwards."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=AttendanceMethod.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gathering", "user"], name="gathering_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.gathering_id}: {self.user_id}"


class SharedPractice(models.Model):
    """A good practice (*praktik baik*) a library shared at the gathering."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="practices")
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("perpustakaan")
    )
    # The write-up in the good-practice library (*praktik baik*), when there is one.
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("praktik baik"),
    )
    title = models.CharField(gettext_lazy("judul"), max_length=200)
    summary = models.TextField(gettext_lazy("ringkasan"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class FollowUp(models.Model):
    """A problem raised for a named library, the action agreed, who sees it through and by when."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="followups")
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("perpustakaan")
    )
    problem = models.TextField(gettext_lazy("masalah"), max_length=2000)
    action = models.TextField(gettext_lazy("tindak lanjut yang disepakati"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("penanggung jawab"),
    )
    due_date = models.DateField(gettext_lazy("tenggat"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_date"], name="followup_owner_open")]

    def __str__(self) -> str:
        return f"{self.library}: {self.action[:80]}"


def material_upload_to(instance: Material, filename: str) -> str:
    return f"gatherings/{instance.gathering_id}/{secrets.token_hex(8)}-{filename}"


class Material(models.Model):
    """A link or an uploaded file (PDF, slides) of the gathering."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(gettext_lazy("judul"), max_length=200)
    url = models.URLField(gettext_lazy("tautan"), max_length=500, blank=True)
    file = models.FileField(upload_to=material_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="gathering_material_link_or_file")
        ]

    def __str__(self) -> str:
        return self.title
