"""An Atom 1.0 feed of a saved search (RFC 4287), built with ElementTree so all text is escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from councilcode.web.templating import iso_date, parse_timestamp

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"

# Characters XML 1.0 does not allow at all, even escaped; GitHub descriptions can hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEntry:
    """One repository in the feed."""

    full_name: str
    page_url: str  # our repository page, which is also the entry's id
    github_url: str
    updated: str | None  # the last push
    summary: str
    categories: tuple[str, ...] = ()


def xml_text(value: str | None) -> str:
    """Text fit for an XML document: characters XML forbids are dropped."""
    return _NOT_XML.sub("", value or "")


def build_feed(
    *, title: str, feed_url: str, alternate_url: str, entries: Sequence[FeedEntry], now: datetime | None = None
) -> bytes:
    """The feed document as UTF-8 bytes; `updated` is the newest entry's push (or now, when empty)."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _text(feed, "id", feed_url)
    _text(feed, "title", title)
    newest = max((parse_timestamp(e.updated) for e in entries if parse_timestamp(e.updated)), default=None)
    _text(feed, "updated", _rfc3339(newest or now or datetime.now(UTC)))
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", "councilcode")
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, alternate_url, "alternate", "text/html")
    _text(feed, "generator", "councilcode")
    for entry in entries:
        element = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(element, "id", entry.page_url)
        _text(element, "title", entry.full_name)
        moment = parse_timestamp(entry.updated) or newest or now or datetime.now(UTC)
        _text(element, "updated", _rfc3339(moment))
        _link(element, entry.page_url, "alternate", "text/html")
        _link(element, entry.github_url, "related", "text/html")
        for term in entry.categories:
            category = ET.SubElement(element, f"{{{ATOM_NS}}}category")
            category.set("term", xml_text(term))
        summary = _text(element, "summary", entry.summary)
        summary.set("type", "text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    element.text = xml_text(value)
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    link = ET.SubElement(parent, f"{{{ATOM_NS}}}link")
    link.set("rel", rel)
    link.set("type", media_type)
    link.set("href", xml_text(href))


def _rfc3339(moment: datetime) -> str:
    return iso_date(moment.isoformat())
