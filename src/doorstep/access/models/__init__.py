"""The access app's models: invitations, visit links and API keys.

Their tables keep the names they had in the apps they came from (`notifications_…`,
`api_apikey`): the move was a change of ownership, not of data.
"""

from doorstep.access.models.api_keys import ApiKey, Scope
from doorstep.access.models.invitations import Invitation
from doorstep.access.models.visit_links import VisitLink, VisitLinkQuerySet, VisitLinkState

__all__ = ["ApiKey", "Invitation", "Scope", "VisitLink", "VisitLinkQuerySet", "VisitLinkState"]
