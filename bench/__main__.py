"""Run benchmarks: `python -m bench [name ...]` (default: all). Never part of `make test`."""

import sys

NAMES = ["idle", "delivery", "history", "pages", "routing"]


def main(argv: list[str]) -> None:
    chosen = argv or NAMES
    for name in chosen:
        if name not in NAMES:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(NAMES)}")
    for name in chosen:
        module = __import__(f"bench.{name}", fromlist=["main"])
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
