from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import uscc
from .choices import IN_BUSINESS, Role
from .models import Enterprise, Membership, Zone


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


class AccountForm(forms.Form):
    """A person's log-in as a zone administrator gives it: name, role, and for an enterprise
    user the enterprise, typed by name or credit code."""

    family_name = forms.CharField(label=_("Family name"), max_length=150)
    given_name = forms.CharField(label=_("Given name"), max_length=150)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they type to log in, e.g. a mobile number or pinyin."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    enterprise = forms.CharField(
        label=_("Enterprise"),
        required=False,
        max_length=200,
        help_text=_("For an enterprise user: the enterprise's name or credit code."),
    )

    def __init__(self, *args, zone: Zone, membership: Membership | None = None, **kwargs):
        self.zone = zone
        self.membership = membership
        if membership is not None:
            user = membership.user
            kwargs.setdefault(
                "initial",
                {
                    "family_name": user.last_name,
                    "given_name": user.first_name,
                    "username": user.get_username(),
                    "email": user.email,
                    "role": membership.role,
                    "enterprise": membership.enterprise.name if membership.enterprise else "",
                },
            )
        super().__init__(*args, **kwargs)
        if membership is not None:
            # The user name is how the person logs in and how history names them: it stays.
            self.fields["username"].disabled = True
            self.fields["username"].help_text = ""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        users = get_user_model().objects.filter(username__iexact=username)
        if self.membership is not None:
            users = users.exclude(pk=self.membership.user_id)
        if users.exists():
            raise ValidationError(_("This user name is taken; choose another."))
        return username

    def clean(self) -> dict:
        data = super().clean()
        role, typed = data.get("role"), (data.get("enterprise") or "").strip()
        data["enterprise"] = None
        if role == Role.ENTERPRISE:
            if not typed:
                self.add_error("enterprise", _("An enterprise user needs their enterprise."))
            else:
                data["enterprise"] = self._enterprise(typed)
        elif typed:
            self.add_error(
                "enterprise", _("Only enterprise users belong to an enterprise; clear this field.")
            )
        return data

    def _enterprise(self, typed: str) -> Enterprise | None:
        in_zone = Enterprise.objects.filter(zone=self.zone, status__in=IN_BUSINESS)
        code = uscc.normalise(typed.rsplit("（", 1)[-1].rstrip("）"))
        matches = list(in_zone.filter(Q(credit_code=code) | Q(name=typed.split("（")[0]))[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.add_error("enterprise", _("Two enterprises have this name; type the credit code."))
        else:
            self.add_error(
                "enterprise",
                _("No enterprise in business in this zone is called “%(name)s”.") % {"name": typed},
            )
        return None
