"""A form field for a region typed as a code (dotted or not) or picked by name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tpbis.regions.models import Region
from tpbis.regions.selectors import region_get_by_code, region_label


class RegionPickerWidget(forms.TextInput):
    """A code input with a name search (htmx) beside it; works as a plain code box without JavaScript."""

    template_name = "regions/widgets/picker.html"

    def __init__(self, *, level: int | None = None, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.level = level

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = value.code if isinstance(value, Region) else (value or "")
        region = region_get_by_code(code=code) if code else None
        context["widget"].update(
            {
                "level": self.level or "",
                "chosen_label": f"{region_label(region=region)} ({region.code})" if region else "",
                "value": region.code if region else code,
            }
        )
        return context


class RegionField(forms.Field):
    widget = RegionPickerWidget
    default_error_messages = {
        "invalid": _('Kode wilayah "%(value)s" tidak dikenal. Tulis kode Kemendagri, mis. 35.24 atau 3524.'),
        "level": _("Pilih wilayah tingkat %(level)s."),
    }

    def __init__(self, *, levels: tuple[int, ...] | None = None, **kwargs: Any) -> None:
        self.levels = levels
        kwargs.setdefault("widget", RegionPickerWidget(level=levels[0] if levels and len(levels) == 1 else None))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Region) else value

    def to_python(self, value: Any) -> Region | None:
        if value in (None, ""):
            return None
        if isinstance(value, Region):
            return value
        region = region_get_by_code(code=str(value))
        if region is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        if self.levels and region.level not in self.levels:
            from tpbis.regions.models import Level

            names = " / ".join(str(Level(level).label) for level in self.levels)
            raise forms.ValidationError(self.error_messages["level"], code="level", params={"level": names})
        return region
