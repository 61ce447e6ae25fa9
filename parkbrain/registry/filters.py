"""One FilterSet for the enterprise list page and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import EnterpriseStatus, Ownership
from .models import Enterprise, Industry, Park, Tag, Zone

# A filter left empty lists everyone: say 全部, not django-filter's "---------".
ALL = _("All")


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name or credit code"))
    park = django_filters.ModelChoiceFilter(
        queryset=Park.objects.none(),
        method="filter_park",
        label=_("Park or centre"),
        empty_label=ALL,
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.none(),
        to_field_name="slug",
        label=_("Zone industry"),
        empty_label=ALL,
    )
    above_scale = django_filters.ChoiceFilter(
        choices=(("yes", _("Above designated size")), ("no", _("Below designated size"))),
        method="filter_above_scale",
        label=_("Size"),
        empty_label=ALL,
    )
    year = django_filters.NumberFilter(
        method="filter_nothing", label=_("Year"), help_text=_("The year the size filter uses.")
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(),
        field_name="tags",
        to_field_name="slug",
        label=_("Tag"),
        empty_label=ALL,
    )
    ownership = django_filters.ChoiceFilter(
        choices=Ownership.choices, label=_("Ownership"), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        choices=EnterpriseStatus.choices, label=_("Status"), empty_label=ALL
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("credit_code", "credit_code"),
            ("founded_on", "founded_on"),
            ("registered_capital_yuan", "capital"),
            ("land_area_mu", "land"),
        ),
        field_labels={
            "name": _("Name"),
            "credit_code": _("Credit code"),
            "founded_on": _("Founded"),
            "registered_capital_yuan": _("Registered capital"),
            "land_area_mu": _("Land area"),
        },
        label=_("Sort"),
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def __init__(self, *args, zone: Zone | None, default_year: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        self.filters["park"].queryset = Park.objects.filter(zone=zone)
        self.filters["industry"].queryset = Industry.objects.filter(zone=zone)

    @property
    def size_year(self) -> int | None:
        if not self.form.is_bound or "year" in self.form.errors:
            return self.default_year
        year = self.form.cleaned_data.get("year")
        return int(year) if year else self.default_year

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_park(self, queryset: QuerySet, name: str, value: Park) -> QuerySet:
        # A park's list includes the firms in the centres that lie inside it.
        return queryset.filter(Q(park=value) | Q(park__located_in=value))

    def filter_above_scale(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year = self.size_year
        if year is None:
            return queryset.none() if value == "yes" else queryset
        if value == "yes":
            return queryset.above_scale_in(year)
        return queryset.not_above_scale_in(year)

    def filter_nothing(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    @property
    def qs(self) -> QuerySet:
        # Largest first by default; ties must not reorder rows between pages.
        queryset = super().qs
        ordering = list(queryset.query.order_by) or ["-registered_capital_yuan"]
        return queryset.order_by(*ordering, "id")
