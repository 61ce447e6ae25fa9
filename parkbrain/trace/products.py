"""Products of an enterprise's master data (GTIN and name), and the GTIN of a lot or serial,
so pages call a lot by its product's name and the finder finds lots by it."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import QuerySet

from parkbrain.registry.models import Enterprise

from .identifiers import IdentifierError, canonical, gs1_check_digit, gs1_key
from .models import Product


def gtin_of(uri: str) -> str:
    """The GTIN of a lot (lgtin) or serial (sgtin), else nothing."""
    try:
        key = gs1_key(uri)
    except IdentifierError:
        return ""
    return key.value if key is not None and key.primary == "01" else ""


def class_prefix(gtin: str) -> str:
    """The start every lot URN of the GTIN shares (urn:epc:class:lgtin:C.R.)."""
    return canonical(f"https://id.gs1.org/01/{gtin}/10/0")[:-1]


def serial_prefix(gtin: str) -> str:
    """The start every serial URN of the GTIN shares (urn:epc:id:sgtin:C.R.)."""
    return canonical(f"https://id.gs1.org/01/{gtin}/21/0")[:-1]


def names_by_gtin(products: QuerySet[Product], gtins: Iterable[str]) -> dict[str, str]:
    """The names the visible master data gives the GTINs (the first stated where several)."""
    names: dict[str, str] = {}
    rows = products.filter(gtin__in=set(gtins) - {""}).order_by("id").values_list("gtin", "name")
    for gtin, name in rows:
        names.setdefault(gtin, name)
    return names


def save_products(enterprise: Enterprise, entries: Iterable[Mapping[str, str]]) -> int:
    """State the enterprise's products ({gtin, name} each; the GTIN with a right check
    digit); returns how many. Stating one again renames it."""
    rows = [(str(e["gtin"]).strip(), str(e["name"]).strip()) for e in entries]
    for gtin, name in rows:
        if len(gtin) != 14 or not gtin.isdigit() or gs1_check_digit(gtin[:-1]) != gtin[-1]:
            raise ValueError(f"not a GTIN-14: {gtin}")
        if not name:
            raise ValueError(f"no name for {gtin}")
    with transaction.atomic():
        Product.objects.bulk_create(
            [Product(enterprise=enterprise, gtin=gtin, name=name) for gtin, name in rows],
            update_conflicts=True,
            unique_fields=["enterprise", "gtin"],
            update_fields=["name"],
        )
    return len(rows)
