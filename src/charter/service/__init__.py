"""The HTTP service (FastAPI): decisions, the ROFR process, commitments, revenue share and the
ledger, each party seeing only what the agreements entitle it to."""

from charter.service.app import Settings, create_app

__all__ = ["Settings", "create_app"]
