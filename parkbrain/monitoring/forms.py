from django import forms

from .models import WarningRule


class RuleForm(forms.ModelForm):
    """What a zone administrator tunes; the kind and the indicators are fixed per rule."""

    class Meta:
        model = WarningRule
        fields = [
            "name",
            "name_en",
            "enabled",
            "severity",
            "basis",
            "operator",
            "threshold",
            "description",
        ]
