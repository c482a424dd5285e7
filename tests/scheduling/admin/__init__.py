"""The back office pages for work orders, bookings and timeline notes."""
