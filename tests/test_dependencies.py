"""The lock files pin every dependency with hashes and agree with what requirements*.in name."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;#]+)", re.M)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {normalise(name): version for name, version in PIN.findall(path.read_text())}


def locked_entries(path: Path) -> list[str]:
    """The lock's entries, one string each (the pin line and its hash lines)."""
    return re.split(r"\n(?=[A-Za-z0-9])", path.read_text().split("\n", 2)[2].strip())


def test_every_named_dependency_is_locked_at_the_named_version():
    """Each pin in requirements.in / requirements-dev.in stands in its lock at that version, so
    an edited .in file without `make lock` fails here."""
    for source, lock in (
        ("requirements.in", "requirements.txt"),
        ("requirements-dev.in", "requirements-dev.txt"),
    ):
        named, locked = pins(ROOT / source), pins(ROOT / lock)
        assert named, source
        for name, version in named.items():
            assert locked.get(name) == version, f"{name}=={version} in {source}, not in {lock}"


def test_runtime_and_development_locks_agree():
    """The development lock installs the runtime lock's exact versions."""
    runtime, development = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {n: development.get(n) for n in runtime} == runtime


def test_every_locked_dependency_has_a_hash():
    """pip installs the locks in hash-checking mode: every entry carries its hashes."""
    for lock in ("requirements.txt", "requirements-dev.txt"):
        entries = locked_entries(ROOT / lock)
        assert len(entries) == len(pins(ROOT / lock))
        for entry in entries:
            assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"
