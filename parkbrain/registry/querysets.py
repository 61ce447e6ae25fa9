from django.db.models import Exists, OuterRef, Q, QuerySet

from . import uscc


class EnterpriseQuerySet(QuerySet):
    def above_scale_in(self, year: int) -> "EnterpriseQuerySet":
        from .models import AboveScaleYear

        return self.filter(
            Exists(AboveScaleYear.objects.filter(enterprise=OuterRef("pk"), year=year))
        )

    def not_above_scale_in(self, year: int) -> "EnterpriseQuerySet":
        from .models import AboveScaleYear

        return self.exclude(
            Exists(AboveScaleYear.objects.filter(enterprise=OuterRef("pk"), year=year))
        )

    def search(self, text: str) -> "EnterpriseQuerySet":
        """By part of the name, or by the start of the credit code however it was typed."""
        text = text.strip()
        if not text:
            return self
        code = uscc.normalise(text)
        return self.filter(Q(name__icontains=text) | Q(credit_code__startswith=code))
