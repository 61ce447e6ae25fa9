from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Machine name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. MES gateway, workshop 2")}),
    )
