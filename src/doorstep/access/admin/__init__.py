"""The back office pages of the access app: invitations, visit links and API keys."""

from doorstep.access.admin import api_keys, invitations, visit_links

__all__ = ["api_keys", "invitations", "visit_links"]
