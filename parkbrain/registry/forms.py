from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import uscc


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Machine name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. MES gateway, workshop 2")}),
    )


class CreditCodeField(forms.CharField):
    """A unified social credit code as clerks paste it, checked against GB 32100.

    No length limit on the input: a pasted code with spaces is longer than 18 characters until
    it is normalised, and a code of the wrong length gets the check's message, which counts
    the characters, rather than Django's generic one.
    """

    def to_python(self, value: object) -> str:
        return uscc.normalise(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and (errors := uscc.check(value).errors):
            raise ValidationError(errors)


class EnterpriseAdminForm(forms.ModelForm):
    """The enterprise form of the admin, which supplies the model and every field but this."""

    credit_code = CreditCodeField(label=_("unified social credit code"))

    def _post_clean(self) -> None:
        refused = self.errors.get("credit_code")
        count = len(refused) if refused else 0
        super()._post_clean()
        if count:
            # Enterprise.clean checks the code the instance still holds (none on an add form),
            # not the refused one, and would add a second, wrong message.
            del self.errors["credit_code"][count:]
