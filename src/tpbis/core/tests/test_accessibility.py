"""Accessibility defects a screen reader user meets, found in the rendered HTML (no browser needed).

- a group of radio buttons or checkboxes is a fieldset whose legend names the question;
- every id an element points at (aria-describedby, aria-labelledby, label for=) exists on the page;
- each form input of the scheme editor has its own label;
- each bulk checkbox of the verification queue names the record it selects.

test_browser_accessibility.py runs axe-core over the same pages in Chromium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from tpbis.kpi.models import Scheme
from tpbis.reports.models import CommunityEngagement, Status

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def ancestors(self) -> list[Element]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def text_content(self) -> str:
        return " ".join(" ".join([*self.text, *(c.text_content() for c in self.children)]).split())


class Tree(HTMLParser):
    """The page as elements with their parents: enough to ask what encloses an input."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.elements: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent or self.root

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if e.attrs.get("id")}

    def form_inputs(self) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag in ("input", "select", "textarea") and e.attrs.get("type") not in ("hidden", "submit", "button")
        ]


def dangling_references(html: str) -> list[str]:
    """Each "attribute=id" on the page that names no element."""
    tree = Tree(html)
    ids = tree.ids()
    dangling = []
    for element in tree.elements:
        for name in REFERENCES:
            dangling += [f"{name}={i}" for i in element.attrs.get(name, "").split() if i not in ids]
        if element.tag == "label" and "for" in element.attrs and element.attrs["for"] not in ids:
            dangling.append(f"label for={element.attrs['for']!r}")
    return dangling


def ungrouped_choices(html: str) -> list[str]:
    """The names of radio/checkbox groups (several inputs, one name) not inside a fieldset with a legend."""
    tree = Tree(html)
    groups: dict[str, list[Element]] = {}
    for element in tree.form_inputs():
        if element.attrs.get("type") in ("radio", "checkbox") and "form" not in element.attrs:
            groups.setdefault(element.attrs.get("name", ""), []).append(element)
    ungrouped = []
    for name, inputs in groups.items():
        if len(inputs) < 2 and inputs[0].attrs.get("type") == "checkbox":
            continue  # a single checkbox is a yes/no question with its own label
        fieldset = next((a for a in inputs[0].ancestors() if a.tag == "fieldset"), None)
        legend = next((c for c in fieldset.children if c.tag == "legend"), None) if fieldset else None
        if legend is None or not legend.text_content():
            ungrouped.append(name)
    return ungrouped


def unlabelled_inputs(html: str) -> list[str]:
    """Form inputs with neither a label (for= or enclosing) nor an aria-label."""
    tree = Tree(html)
    labelled = {e.attrs["for"] for e in tree.elements if e.tag == "label" and e.attrs.get("for")}
    return [
        element.attrs.get("name", element.tag)
        for element in tree.form_inputs()
        if element.attrs.get("id") not in labelled
        and not element.attrs.get("aria-label")
        and not any(a.tag == "label" for a in element.ancestors())
    ]


def accessible_names(html: str, name: str) -> list[str]:
    """The aria-label, or else the enclosing label's text, of each input called `name`."""
    tree = Tree(html)
    names = []
    for element in tree.form_inputs():
        if element.attrs.get("name") == name:
            label = next((a for a in element.ancestors() if a.tag == "label"), None)
            names.append(element.attrs.get("aria-label") or (label.text_content() if label else ""))
    return names


# --- the checks themselves must catch the defects the issue names --------------------------------------


def test_the_checks_catch_a_dangling_reference_and_a_group_without_legend() -> None:
    page = """<label for="id_a">A</label><input id="id_a" name="a" aria-describedby="id_a_helptext">
        <div><label for="">Hasil</label><input type="radio" name="o" value="1"><input type="radio" name="o" value="2"></div>
        <input type="checkbox" name="ids" value="1"><input type="checkbox" name="ids" value="2">"""
    assert dangling_references(page) == ["aria-describedby=id_a_helptext", "label for=''"]
    assert ungrouped_choices(page) == ["o", "ids"]
    fixed = """<fieldset><legend>Hasil</legend><input type="radio" name="o" id="o1"><input type="radio" name="o"></fieldset>"""
    assert ungrouped_choices(fixed) == []
    assert unlabelled_inputs(fixed) == ["o", "o"]


# --- the pages --------------------------------------------------------------------------------------------


ENTRY_FORMS = [f"/laporan/{kind}/baru/" for kind in ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung")]


@pytest.mark.parametrize("url", ENTRY_FORMS)
def test_an_entry_form_groups_its_choices_and_points_only_at_what_exists(world: World, url: str) -> None:
    client = world.client_for(world.manager)
    blank = client.get(url)
    assert blank.status_code == 200
    with_errors = client.post(url, {"action": "submit"})
    assert with_errors.status_code == 200, "an empty submission comes back with its errors"
    assert b"errorlist" in with_errors.content
    for response in (blank, with_errors):
        html = response.content.decode()
        assert dangling_references(html) == []
        assert ungrouped_choices(html) == []
        assert unlabelled_inputs(html) == []


def test_the_advocacy_form_asks_its_radio_and_checkbox_questions_in_fieldsets(world: World) -> None:
    html = world.client_for(world.manager).get("/laporan/advokasi/baru/").content.decode()
    tree = Tree(html)
    legends = {e.text_content() for e in tree.elements if e.tag == "legend"}
    radios = [e for e in tree.form_inputs() if e.attrs.get("type") == "radio"]
    assert radios, "the advocacy form asks for its outcome with radio buttons"
    fieldset = next(a for a in radios[0].ancestors() if a.tag == "fieldset")
    legend = next(c for c in fieldset.children if c.tag == "legend").text_content()
    assert legend in legends and legend, "the outcome question is the group's legend"


def test_a_help_text_and_an_error_are_tied_to_their_field(world: World) -> None:
    html = world.client_for(world.manager).post("/laporan/pelibatan/baru/", {"action": "submit"}).content.decode()
    tree = Tree(html)
    ids = tree.ids()
    described = [e for e in tree.form_inputs() if e.attrs.get("aria-describedby")]
    assert any(e.attrs["aria-describedby"].endswith("_error") for e in described), "errors are announced with the field"
    for element in described:
        assert set(element.attrs["aria-describedby"].split()) <= ids
    alerts = [e for e in tree.elements if e.attrs.get("role") == "alert"]
    assert alerts and all(e.tag != "ul" for e in alerts), "an error list stays a list for a screen reader"


def test_other_forms_with_choices_use_fieldsets(world: World) -> None:
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")
    pages = [
        (world.manager, "/notifikasi/pengaturan/"),
        (world.manager, "/akun/token/"),
        (world.national, f"/iku/skema/{scheme.pk}/"),
        (world.national, "/iku/skema/baru/"),
    ]
    for user, url in pages:
        response = world.client_for(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert dangling_references(html) == [], url
        assert ungrouped_choices(html) == [], url


def test_every_input_of_the_scheme_editor_has_a_label(world: World) -> None:
    scheme = Scheme.objects.get(name="IKU TPBIS 2026")
    html = world.client_for(world.national).get(f"/iku/skema/{scheme.pk}/").content.decode()
    tree = Tree(html)
    assert len([e for e in tree.form_inputs() if e.attrs.get("name", "").startswith("c-")]) >= 8
    assert unlabelled_inputs(html) == []


def test_each_bulk_checkbox_names_its_record(world: World) -> None:
    today = timezone.localdate()
    titles = ["Bimbingan belajar anak", "Lomba baca puisi"]
    for title in titles:
        CommunityEngagement.objects.create(
            library=world.lamongan_village, date=today, title=title, participants=20, status=Status.SUBMITTED
        )
    client: Client = world.client_for(world.facilitator_3524)
    html = client.get("/laporan/verifikasi/pelibatan/").content.decode()
    names = accessible_names(html, "ids")
    assert len(names) == 2
    assert len(set(names)) == 2, f"the bulk checkboxes all read the same: {names}"
    assert sorted(names) == sorted(f"Pilih {title}" for title in titles)
    assert dangling_references(html) == []
