"""Authentication backends that refuse suspended accounts as Django refuses inactive ones.

`user_can_authenticate()` is what Django's ModelBackend asks both when a password is checked
and when a session is turned back into a user (`get_user`), and Channels asks the same for a
socket's session. So a suspended user can neither log in nor keep using a session or socket
that survived, and once the suspension runs out everything works again with nothing to undo.
The login form still says why (accounts.adapter.AccountAdapter.authenticate).
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


def _not_suspended(user) -> bool:
    return not getattr(user, "is_suspended", False)


class ModelBackend(DjangoModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and _not_suspended(user)


class AuthenticationBackend(AllauthBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and _not_suspended(user)
