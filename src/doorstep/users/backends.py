"""Sign-in backends that load the person with the signed-in user.

Every signed-in page asks who the user is (the session's user row), then whether they
are a customer contact or a technician (their language, their visits). Loading those
two rows with the user saves a query or two on every signed-in request; a user who is
neither comes back with both empty, which Django remembers, so asking costs nothing.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import QuerySet

from doorstep.core.prepared import PreparedQuery, fits_a_column

# The people a user can be, by the reverse one-to-one names their models give (a contact
# with its account, which every customer page reads).
PEOPLE = ("contact__account", "technician")


def _users_with_person(user_id: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.select_related(*PEOPLE).filter(pk=user_id)[:2]


# Compiled once: every signed-in request asks it, and building the three-table query
# cost more than running it.
_user_with_person = PreparedQuery(_users_with_person, int)


class _LoadsThePerson:
    def get_user(self, user_id: Any) -> Any:
        if not fits_a_column(user_id):  # the session's key, read by the user model's key field
            return super().get_user(user_id)  # type: ignore[misc]
        found = _user_with_person(user_id)
        if len(found) != 1:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_LoadsThePerson, DjangoModelBackend):
    """Django's password sign-in (the invitation's first sign-in, the test client)."""


class AuthenticationBackend(_LoadsThePerson, AllauthBackend):  # type: ignore[misc]
    """allauth's sign-in by email address."""
