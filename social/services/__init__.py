"""Every write of the social app (transitional: the whole module, to be split by domain)."""

from social.services.wall import *  # noqa: F403
