"""Chats built the way the product builds them: through the services, so seqs and events hold."""

import uuid

import factory

from chats import services
from chats.models import Chat, Membership, Message
from tests.factories.accounts import UserFactory


class GroupFactory(factory.django.DjangoModelFactory):
    """A group owned by `created_by`; `members=[...]` join as members, `admins=[...]` as admins.

    Rows are written directly (no events, no audit) for speed; use services.group_create when
    the creation itself is under test."""

    class Meta:
        model = Chat
        skip_postgeneration_save = True

    kind = Chat.Kind.GROUP
    title = factory.Sequence(lambda n: f"Group {n}")
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if not create:
            return
        Membership.objects.create(chat=self, user=self.created_by, role=Membership.Role.OWNER)
        for person in extracted or ():
            Membership.objects.create(chat=self, user=person, role=Membership.Role.MEMBER)

    @factory.post_generation
    def admins(self, create, extracted, **kwargs):
        for person in extracted or ():
            Membership.objects.create(chat=self, user=person, role=Membership.Role.ADMIN)


class DialogFactory(factory.Factory):
    """The dialog between `user` and `other` (created through the service)."""

    class Meta:
        model = Chat

    user = factory.SubFactory(UserFactory)
    other = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, user, other):
        return services.dialog_get_or_create(user=user, other=other)


class MessageFactory(factory.Factory):
    """A message sent by `sender` to `chat` through the service (a fresh client_id each)."""

    class Meta:
        model = Message

    sender = None
    chat = None
    text = factory.Sequence(lambda n: f"message {n}")

    @classmethod
    def _create(cls, model_class, sender, chat, text, **kwargs):
        message, _created = services.message_send(
            sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
        )
        return message
