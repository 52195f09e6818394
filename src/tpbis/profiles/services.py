"""Writing a library's yearly profile: the only way a profile is created or changed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change, audit_diff, audit_snapshot
from tpbis.libraries.models import Library
from tpbis.profiles.models import LibraryProfile

# What a person states in the form, in its order; the rest is bookkeeping.
PROFILE_FIELDS = (
    "titles",
    "copies",
    "staff_paid",
    "staff_volunteer",
    "staff_trained",
    "members",
    "opening_days",
    "opening_hours",
    "has_internet",
    "internet_kind",
    "latitude",
    "longitude",
)


class ProfileConflict(Exception):
    """The profile changed since the person's form was opened (another tab, another person)."""

    def __init__(self, profile: LibraryProfile) -> None:
        self.profile = profile
        who = (profile.updated_by.full_name or profile.updated_by.email) if profile.updated_by else _("orang lain")
        when = date_format(timezone.localtime(profile.updated_at), "DATETIME_FORMAT")
        super().__init__(
            _(
                "Profil tahun %(year)s baru saja disimpan oleh %(who)s (%(when)s) dari halaman lain. Isian Anda "
                "belum disimpan: muat ulang halaman ini untuk melihat isinya yang terbaru, lalu ubah lagi bila perlu."
            )
            % {"year": profile.year, "who": who, "when": when}
        )


def profile_save(
    *, library: Library, year: int, data: dict[str, Any], seen_version: int, actor: User
) -> LibraryProfile:
    """Create or change the library's profile of `year`, if it is still as the person saw it.

    `seen_version` is the profile's version when the form was opened (0: there was none). Anything else
    raises ProfileConflict and changes nothing; a ValidationError likewise. Audited with before and after.
    """
    with transaction.atomic():
        # No join here: PostgreSQL cannot lock the nullable side of an outer join (updated_by).
        profile = LibraryProfile.objects.select_for_update().filter(library=library, year=year).first()
        if profile is None:
            return _create(library=library, year=year, data=data, actor=actor)
        if profile.version != seen_version:
            raise ProfileConflict(profile)
        before = audit_snapshot(profile, PROFILE_FIELDS)
        for name in PROFILE_FIELDS:
            setattr(profile, name, data[name])
        # The rules of the constraints are clean()'s, worded for people; the database enforces them too.
        profile.full_clean(validate_constraints=False)
        changes = audit_diff(before, audit_snapshot(profile, PROFILE_FIELDS))
        if not changes:
            return profile
        profile.version += 1
        profile.updated_by = actor
        profile.save()
        audit_change(actor=actor, action=AuditAction.UPDATE, target=profile, changes=changes, library_id=library.pk)
        return profile


def _create(*, library: Library, year: int, data: dict[str, Any], actor: User) -> LibraryProfile:
    profile = LibraryProfile(library=library, year=year, created_by=actor, updated_by=actor)
    for name in PROFILE_FIELDS:
        setattr(profile, name, data[name])
    profile.full_clean(validate_constraints=False)
    try:
        # Two first saves at once: the row lock above found nothing to lock, the unique constraint decides.
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        saved = LibraryProfile.objects.select_related("updated_by").filter(library=library, year=year).first()
        if saved is None:
            raise
        raise ProfileConflict(saved) from None
    after = audit_snapshot(profile, PROFILE_FIELDS)
    changes = audit_diff(dict.fromkeys(PROFILE_FIELDS), after)
    audit_change(actor=actor, action=AuditAction.CREATE, target=profile, changes=changes, library_id=library.pk)
    return profile
