"""One router per resource; ``create_app`` includes them all (:data:`ROUTERS`)."""

from fastapi import APIRouter

from charter.service.routers import commitments, decisions, health, ledger, revenue, rofr, spend

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    decisions.router,
    rofr.router,
    spend.router,
    commitments.router,
    revenue.router,
    ledger.router,
)
