"""The admin page: its sections are rendered here; everything it does goes through /v1/admin.

The token is typed once and kept in the tab's sessionStorage (gone when the browser session
ends), sent as `Authorization: Bearer` by static/admin.js, never put in a URL.
"""

from __future__ import annotations

from flask import Blueprint, render_template


def admin() -> str:
    """Upload a list, follow its training, read the gate, compare versions, promote, roll back."""
    return render_template("web/admin.html")


def register(blp: Blueprint) -> None:
    """Add the admin page to the web blueprint."""
    blp.add_url_rule("/admin", "admin", admin)
