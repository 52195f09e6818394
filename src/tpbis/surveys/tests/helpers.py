from __future__ import annotations

import time
from typing import Any

from django.core import signing

from tpbis.exports.tests.helpers import engagement
from tpbis.libraries.models import Library
from tpbis.surveys import guard
from tpbis.surveys.models import Survey
from tpbis.surveys.services import AnswerDraft, answer_submit, survey_open


def open_survey(library: Library, actor: Any, title: str = "Pelatihan merajut") -> Survey:
    return survey_open(engagement=engagement(library, title=title), actor=actor)


def old_stamp(seconds: float = 30) -> str:
    """A form stamp as if the page had been shown `seconds` ago."""
    return signing.dumps(time.time() - seconds, salt=guard._FORM_SALT)


def valid_post(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "consent": "on",
        "gains": ["skill", "information"],
        "come_again": "ya",
        "sex": "perempuan",
        "age_group": "25-44",
        "disability": "tidak",
        "comment": "",
        "website": "",
        "started": old_stamp(),
    }
    data.update(extra)
    return data


def answer(
    survey: Survey,
    *gains: str,
    come_again: str = "ya",
    sex: str = "perempuan",
    age: str = "25-44",
    disability: str = "tidak",
    comment: str = "",
) -> None:
    answer_submit(
        survey=survey,
        draft=AnswerDraft(
            gains=frozenset(f"gained_{g}" for g in gains),
            come_again=come_again,
            sex=sex,
            age_group=age,
            disability=disability,
            comment=comment,
        ),
    )
