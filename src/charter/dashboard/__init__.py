"""The dashboard: pages for the people who sign, pay and plan, served by the service's app.

``charter serve`` mounts :func:`dashboard` at ``/`` behind the API's own routes. Every page
asks the same workflows and the same policy as the API (:mod:`charter.service.policy`):
a page shows a party exactly what the API would. Every asset comes from the app itself:
the project's CSS and script under ``/assets/``, Plotly's JavaScript from the installed
``plotly`` package; no page loads anything from another host.

- :mod:`.session`: signing in with a token (an HttpOnly, SameSite=Strict cookie) and CSRF;
- :mod:`.pages`: the pages, one function each, and the forms that post to them;
- ``templates/``, ``static/``: their HTML (Jinja2, autoescaped) and assets.
"""

from __future__ import annotations

from charter.dashboard.pages import dashboard

__all__ = ["dashboard"]
