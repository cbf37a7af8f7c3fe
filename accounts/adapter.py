"""allauth adapter: the project's hooks into sign-up and login."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    pass
