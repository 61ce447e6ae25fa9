from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from parkbrain.monitoring.choices import DataBasis
from parkbrain.registry.models import Industry, Park, Zone
from parkbrain.reporting.choices import EnergyConvention

from .choices import MapFigure, PeriodKind
from .compute import Period
from .figures import Coverage, Filters, opening_period

FIRST_YEAR = 2000


class CockpitFilterForm(forms.Form):
    """The cockpit's filters, from the query string; every chart follows them."""

    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)
    park = forms.ModelChoiceField(
        label=_("Park or centre"),
        queryset=Park.objects.none(),
        required=False,
        empty_label=_("Whole zone"),
    )
    industry = forms.ModelChoiceField(
        label=_("Zone industry"),
        queryset=Industry.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All industries"),
    )
    map = forms.ChoiceField(label=_("Map shows"), choices=MapFigure.choices, required=False)
    convention = forms.ChoiceField(
        label=_("Electricity as standard coal"), choices=EnergyConvention.choices, required=False
    )
    basis = forms.ChoiceField(label=_("Reports counted"), choices=DataBasis.choices, required=False)

    def __init__(self, data, zone: Zone, as_of: date) -> None:
        super().__init__(data)
        self.as_of = as_of
        self.zone = zone
        # Set when the cockpit opens on an earlier month because the latest is in review.
        self.in_review: Coverage | None = None
        self.fields["park"].queryset = Park.objects.filter(zone=zone).order_by("kind", "sort_order")
        self.fields["industry"].queryset = Industry.objects.filter(zone=zone)
        self.fields["year"].min_value = FIRST_YEAR
        self.fields["year"].max_value = as_of.year

    def clean(self) -> dict:
        data = super().clean()
        latest = Period.latest(self.as_of)
        kind = data.get("kind") or PeriodKind.YTD
        if not data.get("year") and not data.get("month") and kind != PeriodKind.YEAR:
            data["period"], self.in_review = opening_period(
                self.zone, self.as_of, data.get("basis") or DataBasis.REVIEWED, kind
            )
            return data
        year = data.get("year") or latest.year
        month = (
            12
            if kind == PeriodKind.YEAR
            else data.get("month") or (latest.month if year == latest.year else 12)
        )
        if (year, month) > (latest.year, latest.month):
            raise forms.ValidationError(
                _("%(year)d-%(month)02d is not over yet; the latest month is %(latest)s.")
                % {"year": year, "month": month, "latest": f"{latest.year}-{latest.month:02d}"}
            )
        data["period"] = Period(kind, year, month)
        return data

    def filters(self) -> Filters:
        """The valid filters, or the defaults (the year to date) when the input is not valid."""
        if not self.is_bound:
            period, self.in_review = opening_period(self.zone, self.as_of, DataBasis.REVIEWED)
            return Filters(period)
        if not self.is_valid():
            return Filters(Period.latest(self.as_of))
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            park=data.get("park"),
            industry=data.get("industry"),
            convention=data.get("convention") or EnergyConvention.EQUIVALENT,
            basis=data.get("basis") or DataBasis.REVIEWED,
        )

    @property
    def map_figure(self) -> str:
        if self.is_valid() and self.cleaned_data.get("map"):
            return self.cleaned_data["map"]
        return MapFigure.OUTPUT
