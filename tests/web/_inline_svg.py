"""The charts are SVG inside the page (issue #19 item 3): tests take one out by its CSS
class and read it as XML, which also checks that user text in it stayed text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"


def inline_svg(page: str, css_class: str) -> ET.Element:
    """The page's first inline ``<svg class=...>`` (it must be well-formed XML)."""
    found = re.search(rf'<svg class="{css_class}".*?</svg>', page, re.DOTALL)
    assert found, f"no inline svg.{css_class} on the page"
    return ET.fromstring(found.group(0))


def texts(svg: ET.Element) -> str:
    """Every text and tooltip of the SVG, joined."""
    nodes = [*svg.iter(f"{SVG_NS}text"), *svg.iter(f"{SVG_NS}title")]
    return "\n".join("".join(node.itertext()) for node in nodes)
