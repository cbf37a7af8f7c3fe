"""Reads for social pages, the API and other apps (transitional: to be split by domain)."""

from social.selectors.wall import *  # noqa: F403
from social.selectors.wall import _count_per_row  # noqa: F401
