import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each accounts test stores uploads in its own empty folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
