"""Safe parsing of one record's metadata XML, and the small helpers format modules share.

The parser never resolves entities, never touches the network, refuses huge trees and
refuses input over the configured size, so a hostile provider cannot make us read files,
call out or exhaust memory through a record. It stays a module of its own (not folded into
the package ``__init__``) because the format modules import these helpers and the package
imports the format modules.
"""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_comments=True, remove_pis=True)


class XmlProblem(ValueError):
    """The text is not a well-formed XML element we are willing to read."""


def parse_metadata(text: str, max_bytes: int) -> etree._Element:
    """Parse a ``<metadata>`` child; raise ``XmlProblem`` if too large or broken."""
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        raise XmlProblem(f"metadata is {len(data)} bytes, over the {max_bytes}-byte limit")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlProblem(f"broken XML: {exc}") from exc
    if root is None:
        raise XmlProblem("empty metadata")
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``{ns}record`` → ``record``); empty for an entity.

    String slicing, not ``etree.QName``: it runs for every element of every record.
    """
    tag = element.tag
    return tag[tag.find("}") + 1:] if isinstance(tag, str) else ""


def namespace(element: etree._Element) -> str:
    """The element's namespace URI, empty when it has none."""
    return etree.QName(element).namespace or ""


def text_of(element: etree._Element) -> str:
    """All text inside an element, whitespace collapsed (a childless one skips ``itertext``)."""
    text = (element.text or "") if not len(element) else "".join(element.itertext())
    return " ".join(text.split())
