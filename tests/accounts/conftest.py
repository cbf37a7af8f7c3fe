import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each accounts test stores uploads in its own empty folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins and sign-ups in these tests verify passwords many times: use a cheap hasher
    (the factories hash per hasher, so other tests and the live server keep PBKDF2)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
