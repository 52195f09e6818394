"""*Survei manfaat*: a short standard survey participants of one community activity answer anonymously,
in the spirit of the Global Libraries Common Impact Measurement System (CIMS)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from tpbis.libraries.models import Library
from tpbis.reports.models import CommunityEngagement

COMMENT_MAX = 500


class ComeAgain(models.TextChoices):
    YES = "ya", gettext_lazy("Ya")
    MAYBE = "mungkin", gettext_lazy("Mungkin")
    NO = "tidak", gettext_lazy("Tidak")


class Sex(models.TextChoices):
    FEMALE = "perempuan", gettext_lazy("Perempuan")
    MALE = "laki-laki", gettext_lazy("Laki-laki")
    UNSAID = "-", gettext_lazy("Tidak ingin menyebut")


class AgeGroup(models.TextChoices):
    UNDER_15 = "<15", gettext_lazy("Di bawah 15 tahun")
    FROM_15 = "15-24", gettext_lazy("15–24 tahun")
    FROM_25 = "25-44", gettext_lazy("25–44 tahun")
    FROM_45 = "45-59", gettext_lazy("45–59 tahun")
    FROM_60 = "60+", gettext_lazy("60 tahun ke atas")


class Disability(models.TextChoices):
    YES = "ya", gettext_lazy("Ya")
    NO = "tidak", gettext_lazy("Tidak")
    UNSAID = "-", gettext_lazy("Tidak ingin menyebut")


# What a participant gained: one boolean column each, so one GROUP BY counts them all.
GAINS: tuple[tuple[str, StrOrPromise], ...] = (
    ("gained_skill", gettext_lazy("Keterampilan baru")),
    ("gained_work", gettext_lazy("Pekerjaan atau usaha")),
    ("gained_income", gettext_lazy("Penghasilan")),
    ("gained_health", gettext_lazy("Kesehatan")),
    ("gained_information", gettext_lazy("Informasi yang berguna")),
    ("gained_none", gettext_lazy("Tidak ada")),
)


class Survey(models.Model):
    """The survey of one community activity (*pelibatan masyarakat*), reached by an unguessable code."""

    code = models.CharField(max_length=24, unique=True)
    engagement = models.OneToOneField(
        CommunityEngagement, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("kegiatan")
    )
    # The activity's library, kept here so results group by library and region without a join through it.
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("perpustakaan")
    )
    is_open = models.BooleanField(gettext_lazy("terbuka"), default=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("survei manfaat")
        verbose_name_plural = gettext_lazy("survei manfaat")

    def __str__(self) -> str:
        return str(self.engagement)


class Answer(models.Model):
    """One participant's anonymous answer: no IP, device, cookie or time of day is kept, only the day."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    gained_skill = models.BooleanField(default=False)
    gained_work = models.BooleanField(default=False)
    gained_income = models.BooleanField(default=False)
    gained_health = models.BooleanField(default=False)
    gained_information = models.BooleanField(default=False)
    gained_none = models.BooleanField(default=False)
    come_again = models.CharField(gettext_lazy("ingin datang lagi"), max_length=8, choices=ComeAgain.choices)
    sex = models.CharField(gettext_lazy("jenis kelamin"), max_length=10, choices=Sex.choices)
    age_group = models.CharField(gettext_lazy("kelompok umur"), max_length=6, choices=AgeGroup.choices)
    disability = models.CharField(gettext_lazy("disabilitas"), max_length=6, choices=Disability.choices)
    comment = models.CharField(gettext_lazy("komentar"), max_length=COMMENT_MAX, blank=True)
    answered_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = gettext_lazy("jawaban survei")
        verbose_name_plural = gettext_lazy("jawaban survei")
        constraints = [
            models.CheckConstraint(
                name="answer_none_alone",
                condition=models.Q(gained_none=False)
                | models.Q(
                    gained_skill=False,
                    gained_work=False,
                    gained_income=False,
                    gained_health=False,
                    gained_information=False,
                ),
                violation_error_message=gettext_lazy('"Tidak ada" tidak bisa dipilih bersama manfaat lain.'),
            )
        ]

    def __str__(self) -> str:
        return str(self.survey)
