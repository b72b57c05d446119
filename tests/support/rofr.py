"""A ROFR request the bundled scenario's tests file (OpenAI buying TPU capacity from Google
Cloud in the second quarter of 2025, while the ROFR of V3.C6 is in force)."""

from __future__ import annotations

from typing import Any

ROFR_BODY: dict[str, Any] = {
    "provider": "gcp",
    "family": "tpu-v6e",
    "kind": "training",
    "quantity": {"2025-04": 100000},
    "window_from": "2025-04-01",
    "window_to": "2025-06-30",
    "price_per_hour": 2.7,
}
