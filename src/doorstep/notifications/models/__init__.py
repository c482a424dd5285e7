"""The notifications app's models, one module per subject."""

from doorstep.notifications.models.invitations import Invitation

__all__ = ["Invitation"]
