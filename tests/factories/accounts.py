from functools import cache

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password

from accounts.models import Block, User

PASSWORD = "correct-horse-battery-42"


@cache
def _password_hash(raw: str, hasher: str) -> str:
    return make_password(raw)


def password_hash(raw: str) -> str:
    """Hash each test password once per hasher: PBKDF2 costs ~0.3 s per call here."""
    return _password_hash(raw, settings.PASSWORD_HASHERS[0])


class UserFactory(factory.django.DjangoModelFactory):
    """An active user with a verified primary email who can log in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.password = password_hash(extracted or PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class BlockFactory(factory.django.DjangoModelFactory):
    """`blocker` blocked `blocked`."""

    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
