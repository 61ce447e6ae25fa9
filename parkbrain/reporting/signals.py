"""What reporting tells the apps built on it, without knowing them."""

from django.dispatch import Signal

# Sent inside the saving transaction with `reports`: the (enterprise id, year, month) of
# reports that are now submitted or accepted and were just submitted or changed. The early
# warnings re-check their data quality at once, so a figure never counts a report a serious
# warning would hold.
reports_in = Signal()
