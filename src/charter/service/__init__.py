"""The HTTP service (FastAPI): decisions, the ROFR process, commitments, revenue share and the
ledger, each party seeing only what the agreements entitle it to.

``Settings`` and ``create_app`` load FastAPI when first used, so that the ledger's workflows
can import :mod:`.policy` and :mod:`.schemas` (neither imports FastAPI) cheaply and without
an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charter.service.app import create_app
    from charter.service.deps import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from charter.service.app import create_app

        return create_app
    if name == "Settings":
        from charter.service.deps import Settings

        return Settings
    raise AttributeError(f"module 'charter.service' has no attribute {name!r}")
