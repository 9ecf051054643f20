"""What ``[check.urls]`` lets a translation cite beyond its source's URLs.

Two settings (:class:`~transync.site.config.UrlCheck`): sections under a
reference heading (``References``, ``参考情報``) are each language's own list
of sources, so their URLs are compared in neither direction; and a
translation may cite URLs on domains allowed for its language (a Japanese
page linking a Japanese shop) that its source does not have.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from transync.checks.page import Page
from transync.document.outline import Spot
from transync.site.config import UrlCheck


def in_references(page: Page, spot: Spot, settings: UrlCheck) -> bool:
    """Whether ``spot`` is in a section whose heading starts with one of the reference headings."""
    if not settings.reference_headings or not spot.section:
        return False
    heading = page.outline.headings[spot.section - 1].text.strip().casefold()
    return any(heading.startswith(h.casefold()) for h in settings.reference_headings)


def allowed_domain(url: str, lang: str, settings: UrlCheck) -> bool:
    """Whether ``url`` is on a domain (or a subdomain of one) allowed for ``lang`` or for every language."""
    if not settings.allow_domains:
        return False
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return False
    domains = (*settings.allow_domains.get(lang, ()), *settings.allow_domains.get("*", ()))
    return any(host == d or host.endswith("." + d) for d in domains)
