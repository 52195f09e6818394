"""The rule form: only the settings the rule's kind uses, and the roles it may address."""

from __future__ import annotations

from typing import Any

from django import forms

from tpbis.accounts.models import Role
from tpbis.reminders.models import (
    AUDIENCES,
    PLACEHOLDERS,
    USES_DAY_OF_MONTH,
    USES_DAYS,
    USES_WEEKDAY,
    ReminderRule,
)


class RuleForm(forms.ModelForm[ReminderRule]):
    class Meta:
        model = ReminderRule
        fields = ["enabled", "audience", "days", "day_of_month", "weekday", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        labels = dict(Role.choices)
        self.fields["audience"] = forms.ChoiceField(
            label=self.fields["audience"].label, choices=[(role, labels[role]) for role in AUDIENCES[kind]]
        )
        for name, used in (
            ("days", kind in USES_DAYS),
            ("day_of_month", kind in USES_DAY_OF_MONTH),
            ("weekday", kind in USES_WEEKDAY),
        ):
            if not used:
                del self.fields[name]
            else:
                self.fields[name].required = True
        self.fields["message"].help_text = " ".join("{" + name + "}" for name in sorted(PLACEHOLDERS[kind]))
