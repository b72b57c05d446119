"""Print which installed packages differ from a lock file (used by `make test-latest`).

python requirements/compare.py requirements/dev.lock
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.markers import Marker

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+))?")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock: str) -> int:
    pinned: dict[str, str] = {}
    with open(lock, encoding="utf-8") as f:
        for line in f:
            m = PIN.match(line)
            # a universal lock pins some packages once per Python: keep the line for this one
            if m and (m.group(3) is None or Marker(m.group(3).strip()).evaluate()):
                pinned[canonical(m.group(1))] = m.group(2)
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    changed = sorted(
        (name, pinned[name], version)
        for name, version in installed.items()
        if name in pinned and pinned[name] != version
    )
    new = sorted(set(installed) - set(pinned) - {"charter"})
    if not changed and not new:
        print(f"every package here is at the version {lock} names")
    for name, old, version in changed:
        print(f"{name}: {old} in the lock, {version} here")
    for name in new:
        print(f"{name}: {installed[name]} here, not in the lock")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
