"""The gear maker's year of genealogy in the demo zone: the plant's EPCIS events (see
``parkbrain.trace.gearplant``) captured through the repository's own capture path, the gear
maker's by its MES log-in and the EV maker's receipts by the EV maker's.

Capture is half checking and hashing (no database) and half writing. A loader runs the first
half for the next documents in a second process while this one writes, so a year of events
(over 200,000) loads in about the time the writes take.
"""

import multiprocessing
import traceback
from collections.abc import Iterator
from datetime import date, timedelta
from queue import Empty

from django.contrib.auth import get_user_model

from parkbrain.trace.gearplant import EV, GEAR, GearPlant
from parkbrain.trace.locations import BATCH_LIMIT, save_locations
from parkbrain.trace.products import save_products
from parkbrain.trace.services import (
    CheckedCapture,
    capture_checked,
    capturing_enterprise,
    check_capture,
)

from .orders import build_orders

DOCUMENT_EVENTS = 500
#: Checked documents waiting to be written, at most (bounds the memory the loader holds).
QUEUE_DOCUMENTS = 8


def _check_in_child(plant: GearPlant, size: int, queue) -> None:
    try:
        for owner, document in plant.documents(size):
            queue.put((owner, check_capture(document).for_transfer()))
        queue.put(("end", plant.incident))
    except Exception:  # the parent raises it with the child's traceback
        queue.put(("error", traceback.format_exc()))


def checked_documents(
    plant: GearPlant, size: int = DOCUMENT_EVENTS
) -> Iterator[tuple[str, CheckedCapture]]:
    """(owner, checked document) for the plant's documents, checked and hashed in a forked
    process while the caller stores the ones before; `plant.incident` is filled at the end."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(QUEUE_DOCUMENTS)
    child = context.Process(target=_check_in_child, args=(plant, size, queue), daemon=True)
    child.start()
    try:
        while True:
            try:
                owner, payload = queue.get(timeout=10)
            except Empty:
                if child.is_alive():
                    continue
                raise RuntimeError("the process checking the documents ended early") from None
            if owner == "end":
                plant.incident = payload
                return
            if owner == "error":
                raise RuntimeError(f"checking the gear plant's documents failed:\n{payload}")
            yield owner, payload
    finally:
        child.kill()
        child.join()


def build_trace(as_of: date, seed: int, days: int, lines: int) -> tuple[int, GearPlant]:
    """Capture `days` days of the gear plant up to `as_of` with `lines` production lines;
    returns the number of events stored and the plant (its ``incident`` says what was seeded)."""
    plant = GearPlant(seed=seed, start=as_of - timedelta(days=days), days=days, lines=lines)
    users = get_user_model().objects
    principals = {GEAR: users.get(username="gear"), EV: users.get(username="ev")}
    firms = {owner: capturing_enterprise(user) for owner, user in principals.items()}
    names = {owner: firm.name for owner, firm in firms.items()}
    for owner, entries in plant.master_data(names).items():
        # Parents come first, so each batch's parents are stored by then.
        for start in range(0, len(entries), BATCH_LIMIT):
            save_locations(firms[owner], entries[start : start + BATCH_LIMIT])
    for owner, entries in plant.products().items():
        save_products(firms[owner], entries)
    stored = 0
    for owner, prepared in checked_documents(plant):
        job = capture_checked(prepared, principals[owner])
        if job.events_saved != job.event_count:
            raise RuntimeError(f"the demo's {owner} events were refused: {job.errors[:3]}")
        stored += job.events_saved
    build_orders(firms[GEAR], as_of)
    return stored, plant
