"""Read-only pages of production orders: the list the caller may see, and one order with its
operations, lots, readings and inspections, each lot linking to its genealogy."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parkbrain.registry import tenancy

from .choices import LotRole, OrderState
from .models import Inspection, Operation, OperationEvent, ProductionOrder


def _orders(request: HttpRequest):
    return tenancy.restrict(ProductionOrder.objects.all(), request.user, via="enterprise")


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    orders = (
        _orders(request).select_related("enterprise").annotate(operation_count=Count("operations"))
    )
    if state in OrderState.values:
        orders = orders.filter(state=state)
    context = {"orders": orders[:500], "state": state, "states": OrderState.choices}
    return render(request, "mes/orders.html", context)


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    links = Prefetch("event_links", OperationEvent.objects.select_related("event"))
    order = (
        _orders(request)
        .select_related("enterprise")
        .prefetch_related(
            Prefetch(
                "operations",
                Operation.objects.prefetch_related(
                    "lots",
                    "readings",
                    links,
                    Prefetch("inspections", Inspection.objects.prefetch_related("measurements")),
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    operations = [
        {
            "operation": op,
            "consumed": [lot for lot in op.lots.all() if lot.role == LotRole.CONSUMED],
            "produced": [lot for lot in op.lots.all() if lot.role == LotRole.PRODUCED],
            "events": sum(1 for link in op.event_links.all() if not link.event.error_declaration),
            "retracted": sum(1 for link in op.event_links.all() if link.event.error_declaration),
        }
        for op in order.operations.all()
    ]
    return render(request, "mes/order.html", {"order": order, "operations": operations})
