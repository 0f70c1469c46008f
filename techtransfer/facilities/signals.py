"""Signals of the facilities app, for the apps above it (it names none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that declines or cancels a booking (booking=..., by=...), before it commits:
# whatever was spent on the booking (an innovation voucher) is given back in the same transaction.
booking_released = Signal()
