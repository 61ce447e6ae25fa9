"""GB/T 4754-2017 codes and the zone's own industries ("3+1")."""

from django.db.models import Prefetch

from .models import Industry, IndustryCode, Zone


class Classifier:
    """Finds the zone industry of a class code by walking up class → group → division → section.

    Loads the code tree and the zone's mapping once, so classifying thousands of rows is cheap.
    """

    def __init__(self, zone: Zone) -> None:
        self.parent_of = dict(IndustryCode.objects.values_list("code", "parent__code"))
        industries = Industry.objects.filter(zone=zone).prefetch_related(
            Prefetch("codes", IndustryCode.objects.only("code"))
        )
        self.industry_of_code = {
            code.code: industry for industry in industries for code in industry.codes.all()
        }

    def lineage(self, code: str) -> list[str]:
        """The code and its ancestors, most specific first."""
        path = []
        current: str | None = code
        while current:
            path.append(current)
            current = self.parent_of.get(current)
        return path

    def industry_for(self, code: str) -> Industry | None:
        for candidate in self.lineage(code):
            if candidate in self.industry_of_code:
                return self.industry_of_code[candidate]
        return None
