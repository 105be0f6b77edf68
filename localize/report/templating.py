"""The one Jinja2 environment for HTML reports: autoescape on for every template, whatever its suffix.

`select_autoescape()` escapes only templates named *.html; ours are *.html.j2, so it escaped nothing and
a file named `<img src=x onerror=...>.png` ran its markup in the report.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader


def html_environment(package: str) -> Environment:
    """Templates of `package`/templates, every value HTML-escaped unless marked safe."""
    return Environment(loader=PackageLoader(package, "templates"), autoescape=True)
