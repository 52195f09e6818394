"""People, their roles (memberships) and invitations to activate an account."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    phone = models.CharField(_("nomor HP/WhatsApp"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    is_staff = models.BooleanField(_("akses admin Django"), default=False)
    date_joined = models.DateTimeField(_("terdaftar"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """Ordered from weakest to strongest; see ROLE_RANK."""

    MANAGER = "pengelola", _("Pengelola perpustakaan")
    FACILITATOR = "fasilitator", _("Fasilitator kabupaten/kota")
    PROVINCE = "provinsi", _("Petugas provinsi")
    NATIONAL = "nasional", _("Tim nasional")


ROLE_RANK: dict[str, int] = {Role.MANAGER: 1, Role.FACILITATOR: 2, Role.PROVINCE: 3, Role.NATIONAL: 4}


class Title(models.TextChoices):
    PIC_PROVINCE = "pic_provinsi", _("PIC Provinsi")
    EXPERT_TRAINER = "pelatih_ahli", _("Pelatih Ahli")
    CONSULTANT = "konsultan_pendamping", _("Konsultan Pendamping")
    PIC = "pic", _("PIC Kabupaten/Kota")
    FASDA = "fasda", _("Fasda (Fasilitator Daerah)")


TITLES_FOR_ROLE: dict[str, set[str]] = {
    Role.PROVINCE: {Title.PIC_PROVINCE, Title.EXPERT_TRAINER, Title.CONSULTANT},
    Role.FACILITATOR: {Title.PIC, Title.FASDA},
    Role.MANAGER: set(),
    Role.NATIONAL: set(),
}


class Membership(models.Model):
    """One role of a user over one scope: the nation, a province, a kabupaten/kota or a library."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices)
    title = models.CharField(_("jabatan"), max_length=24, choices=Title.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("wilayah")
    )
    library = models.ForeignKey(
        "libraries.Library",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("perpustakaan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peran pengguna")
        verbose_name_plural = _("peran pengguna")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.NATIONAL, region__isnull=True, library__isnull=True)
                    | Q(role__in=[Role.PROVINCE, Role.FACILITATOR], region__isnull=False, library__isnull=True)
                    | Q(role=Role.MANAGER, region__isnull=True, library__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "role", "region"], name="membership_unique_region"),
            models.UniqueConstraint(fields=["user", "library"], name="membership_unique_library"),
        ]

    def __str__(self) -> str:
        where = self.library or self.region or _("Nasional")
        return f"{self.get_role_display()} - {where}"


class Invitation(models.Model):
    """A one-time, expiring link that brings a person into the system with one role.

    Three kinds, and none of them ever sets the password of an account that already exists:
    - open (no email): for a library whose manager is not known yet; whoever opens it creates the
      manager account, or, holding an account already, signs in and accepts the role;
    - by email: sent only to that address; creates the account if the address has none, otherwise the
      person signs in with their own password and accepts;
    - activation of an account this system just created for someone (account import): `new_account`,
      the only kind that sets a first password, and only while the account has none and never signed in.
    Only a hash of the token is stored, so a database leak does not leak working links.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    email = models.EmailField(_("email"), blank=True)
    library = models.ForeignKey(
        "libraries.Library", on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    # The role granted on acceptance (empty: the account's roles were set when it was created).
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, blank=True)
    title = models.CharField(_("jabatan"), max_length=24, choices=Title.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("wilayah")
    )
    new_account = models.BooleanField(default=False)
    name = models.CharField(_("nama"), max_length=150, blank=True)
    phone = models.CharField(_("nomor HP/WhatsApp"), max_length=30, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Refused attempts to create an account through this link; too many and the link stops working.
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    MAX_FAILED_ATTEMPTS: ClassVar[int] = 10

    class Meta:
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        constraints = [
            models.CheckConstraint(
                name="invitation_for_user_or_library",
                condition=Q(user__isnull=False) | Q(library__isnull=False) | ~Q(email=""),
            )
        ]
        indexes = [models.Index(fields=["library", "accepted_at", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user or self.library} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.failed_attempts < self.MAX_FAILED_ATTEMPTS
        )


class DismissedTip(models.Model):
    """A guide a person closed (the first-entry walkthrough): it stays closed on every device they use."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("panduan yang ditutup")
        verbose_name_plural = _("panduan yang ditutup")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="dismissed_tip_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.key}"
