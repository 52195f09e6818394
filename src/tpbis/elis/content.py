"""Lesson text: Markdown to sanitised HTML, and the checks an imported or authored text must pass.

Markdown comes from `markdown`; the HTML it produces always passes through `nh3` (a maintained HTML
sanitiser), so raw HTML, scripts and event handlers written into a lesson never reach a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import markdown  # type: ignore[import-untyped]
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# What an imported or typed text may not carry, even though rendering would strip it: the author learns
# their text is not what they think, and an import carrying it changes nothing.
FORBIDDEN = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|link|meta|form|svg|base)\b|javascript\s*:|vbscript\s*:"
    r"|data\s*:\s*text/html|<[^>]*\son[a-z]+\s*=",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ImageRef:
    url: str
    width: int
    height: int


def has_forbidden_markup(text: str) -> bool:
    return bool(FORBIDDEN.search(text or ""))


def _image_rewriter(images: Mapping[str, ImageRef]) -> Callable[[str, str, str], str | None]:
    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            # Only the course's own (resized) images: a remote picture would cost data and break the CSP.
            ref = images.get(value)
            return ref.url if ref else None
        return value

    return rewrite


def _sized(html: str, images: Mapping[str, ImageRef]) -> str:
    """Width and height on each image so the page does not jump while it loads lazily."""
    by_url = {ref.url: ref for ref in images.values()}

    def add(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = re.search(r'\ssrc="([^"]+)"', tag)
        if src is None:
            return ""  # an image from elsewhere: dropped
        ref = by_url.get(src.group(1))
        if ref is None or not ref.width or " width=" in tag:
            return tag
        return f'{tag[:-1]} width="{ref.width}" height="{ref.height}">'

    return re.sub(r"<img\b[^>]*>", add, html)


def render_markdown(text: str, *, images: Mapping[str, ImageRef] | None = None) -> SafeString:
    images = images or {}
    raw = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_image_rewriter(images),
        url_schemes=URL_SCHEMES,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(_sized(clean, images))  # noqa: S308 (sanitised by nh3 just above)


def plain(text: str) -> str:
    """Question and choice texts are plain: any tag is dropped."""
    return nh3.clean(text or "", tags=set())
