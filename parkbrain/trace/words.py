"""Readable names for the words events carry: CBV 2.0 business steps and dispositions, and the
steps a metal-working plant names in its own vocabulary. Events keep the word (the API answers
with it); pages show the name, with the word beside it where it helps."""

from django.utils.translation import gettext_lazy as _

STEPS = {
    "accepting": _("Accepting"),
    "arriving": _("Arriving"),
    "assembling": _("Assembling"),
    "collecting": _("Collecting"),
    "commissioning": _("Commissioning"),
    "consigning": _("Consigning"),
    "decommissioning": _("Decommissioning"),
    "departing": _("Departing"),
    "destroying": _("Destroying"),
    "disassembling": _("Disassembling"),
    "holding": _("Holding"),
    "inspecting": _("Inspecting"),
    "loading": _("Loading"),
    "packing": _("Packing"),
    "picking": _("Picking"),
    "receiving": _("Receiving"),
    "repackaging": _("Repackaging"),
    "repairing": _("Repairing"),
    "sampling": _("Sampling"),
    "sensor_reporting": _("Sensor reporting"),
    "shipping": _("Shipping"),
    "staging_outbound": _("Staging outbound"),
    "stocking": _("Stocking"),
    "storing": _("Storing"),
    "transporting": _("Transporting"),
    "unloading": _("Unloading"),
    "unpacking": _("Unpacking"),
    "void_shipping": _("Void shipping"),
    # A gear plant's own steps (CBV has none for metal working).
    "forging": _("Forging"),
    "machining": _("Machining"),
    "hobbing": _("Gear hobbing"),
    "heat-treating": _("Heat treatment"),
    "heat_treating": _("Heat treatment"),
    "carburising": _("Carburising"),
    "marking": _("Marking"),
}

DISPOSITIONS = {
    "active": _("Active"),
    "available": _("Available"),
    "conformant": _("Conformant"),
    "container_closed": _("Container closed"),
    "container_open": _("Container open"),
    "damaged": _("Damaged"),
    "destroyed": _("Destroyed"),
    "disposed": _("Disposed"),
    "encoded": _("Encoded"),
    "expired": _("Expired"),
    "in_progress": _("In progress"),
    "in_transit": _("In transit"),
    "inactive": _("Inactive"),
    "needs_replacement": _("Needs replacement"),
    "non_conformant": _("Non-conformant"),
    "recalled": _("Recalled"),
    "reserved": _("Reserved"),
    "retail_sold": _("Retail sold"),
    "returned": _("Returned"),
    "sellable_accessible": _("Sellable, accessible"),
    "sellable_not_accessible": _("Sellable, not accessible"),
    "stolen": _("Stolen"),
    "unavailable": _("Unavailable"),
    "unknown": _("Unknown"),
}


def step_name(word: str) -> str:
    return str(STEPS.get(word, word))


def disposition_name(word: str) -> str:
    return str(DISPOSITIONS.get(word, word))
