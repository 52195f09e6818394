"""Opening and closing a survey, and storing one anonymous answer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.audit.models import AuditAction
from tpbis.audit.services import audit_change
from tpbis.reports.models import CommunityEngagement
from tpbis.surveys.models import GAINS, Answer, Survey

CODE_BYTES = 8  # token_urlsafe(8) is 11 characters: 64 random bits, unguessable by trying


class SurveyClosed(Exception):
    """The survey was closed (or never existed) when the answer arrived."""


def survey_open(*, engagement: CommunityEngagement, actor: User) -> Survey:
    """Open the activity's survey: create it with a fresh code, or reopen it if it was closed."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(engagement_id=engagement.pk).first()
        if survey is not None:
            if survey.is_open:
                return survey
            reopened = Survey.objects.filter(pk=survey.pk, is_open=False).update(is_open=True, closed_at=None)
            if reopened:
                survey.is_open, survey.closed_at = True, None
                audit_change(actor=actor, action=AuditAction.UPDATE, target=survey, changes={"is_open": [False, True]})
            return survey
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    code=secrets.token_urlsafe(CODE_BYTES),
                    engagement=engagement,
                    library_id=engagement.library_id,
                    opened_by=actor,
                )
        except IntegrityError:
            # Someone opened it a moment ago (one survey per activity): theirs is the survey.
            return Survey.objects.get(engagement_id=engagement.pk)
        audit_change(actor=actor, action=AuditAction.CREATE, target=survey, changes={"is_open": [None, True]})
        return survey


def survey_close(*, survey: Survey, actor: User) -> bool:
    """Close an open survey; False (and nothing written) if it was already closed."""
    with transaction.atomic():
        closed = Survey.objects.filter(pk=survey.pk, is_open=True).update(is_open=False, closed_at=timezone.now())
        if not closed:
            return False
        survey.refresh_from_db()
        audit_change(actor=actor, action=AuditAction.UPDATE, target=survey, changes={"is_open": [True, False]})
        return True


@dataclass(frozen=True)
class AnswerDraft:
    gains: frozenset[str]  # names from GAINS
    come_again: str
    sex: str
    age_group: str
    disability: str
    comment: str = ""


def answer_submit(*, survey: Survey, draft: AnswerDraft) -> Answer:
    """Store one anonymous answer if the survey is still open. Raises ValidationError on bad values and
    SurveyClosed if the survey was closed meanwhile."""
    answer = Answer(
        survey=survey,
        come_again=draft.come_again,
        sex=draft.sex,
        age_group=draft.age_group,
        disability=draft.disability,
        comment=draft.comment.strip(),
        **{name: name in draft.gains for name, _label in GAINS},
    )
    answer.full_clean()
    with transaction.atomic():
        if not Survey.objects.select_for_update().filter(pk=survey.pk, is_open=True).values_list("pk").first():
            raise SurveyClosed
        answer.save()
    return answer
