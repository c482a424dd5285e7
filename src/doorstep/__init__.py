"""Doorstep: a self-hostable customer experience portal for field service companies."""

__version__ = "0.1.0"
