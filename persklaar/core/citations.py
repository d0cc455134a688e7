"""Citations formatted by a CSL style (citeproc-py), and the bibliography they make.

Every `cite` token (`core.citesyntax`) of the publication is checked against the
references (`core.bibliography`), registered in reading order, and formatted by the
style in the publication's language: `[@smith2020, p. 33]` → "(Smith, 2020, p. 33)".
The token is then replaced, in place, by ordinary tokens: a link to the work's entry
around each work's part, and text and emphasis as the style sets them. So every
output prints a citation as it prints any linked text, and no renderer knows CSL.

The cited works make one more chapter, last, titled with the label `bibliography`:
one paragraph per work (class `csl-entry`, its span's id `ref-<key>`), in the style's
order, its DOI or URL a link like any other, so it is numbered into the link appendix
with a QR code on paper. `[-@key]` leaves the author out and `@key` puts the author in
the text ("Smith (2020)"): the style formats the citation with a stand-in for the
author's name, which is then cut out (or moved in front).
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from html.parser import HTMLParser

from markdown_it.token import Token

from ..errors import Diagnostics, SourceLocation
from .bibliography import Reference, Style, parse_style
from .citesyntax import CiteItem
from .markdown import where
from .model import Body, Chapter, Module, Target

UNIT = "bibliography"
STAND_IN = "\ue000"  # the author's name in the formatting that leaves it out
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)]")
_FIRST_FIELD = re.compile(r"^((?:<[^>]+>)*[\[(]?\d+[\].)]?(?:</[^>]+>)*)(?=[^\s<])")  # a numeric style's "[1]"
_TAGS = {"i": "em", "em": "em", "b": "strong", "strong": "strong", "sup": "sup", "sub": "sub"}


def resolve(chapters: tuple[Chapter, ...], modules: tuple[Module, ...], references: Mapping[str, Reference] | None,
            chosen: Style | None, setting: SourceLocation, title: str, diags: Diagnostics,
            placement: str = "end") -> tuple[tuple[Chapter, ...], tuple[Module, ...]]:
    """Format every citation in place. The chapters come back with the bibliography of the cited
    works last (`placement` "end" or "both"); with "chapters" or "both", each chapter and each
    course section that cites has the list of its works under it, and its citations lead there."""
    bodies = [c.body for c in chapters] + [s.intro for m in modules for s in m.sections]
    cites = [(body, block, token) for body in bodies for block, token in _cites(body)]
    if not cites:
        return chapters, modules
    if references is None:
        for body, block, token in cites:
            if token.meta["in_text"]:  # `@word` without a bibliography: an at sign, as before
                token.type = "text"
            else:
                diags.error(where(body, block, token.content), f"citation {token.content} but publication.yaml "
                            "names no bibliography: add `bibliography: references.bib` (BibTeX, or CSL JSON/YAML)")
        return chapters, modules
    known = {key.lower(): key for key in references}
    wanted = []
    for body, block, token in cites:
        for item in token.meta["items"]:
            if item.key.lower() not in known:
                close = difflib.get_close_matches(item.key, list(references), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join('@' + c for c in close)}?" if close else \
                    f" ({len(references)} works in the files named by `bibliography:` in publication.yaml)"
                plain = " (write \\@ for an at sign that is no citation)" if token.meta["in_text"] else ""
                diags.error(where(body, block, "@" + item.key), f"no reference @{item.key} in the bibliography"
                                                                f"{hint}{plain}")
            elif known[item.key.lower()] not in wanted:
                wanted.append(known[item.key.lower()])
    if diags.errors or chosen is None:
        return chapters, modules
    formatter = _Formatter(references, wanted, chosen, diags)
    if formatter.failed:
        return chapters, modules
    for body, block, token in cites:
        at = where(body, block, token.content)
        tokens = formatter.citation(token.meta["items"], token.meta["in_text"], at)
        if tokens is not None:
            children = block.children or []
            index = next(i for i, t in enumerate(children) if t is token)
            block.children = [*children[:index], *tokens, *children[index + 1:]]
    if placement != "end":
        chapters = tuple(replace(c, body=formatter.listed(c.body, title, 2, "")) for c in chapters)
        modules = tuple(replace(m, sections=tuple(
            replace(s, intro=formatter.listed(s.intro, title, 3, s.number.replace(".", "-") + "-"))
            for s in m.sections)) for m in modules)
    return chapters + ((formatter.chapter(title, setting),) if placement != "chapters" else ()), modules


def _cites(body: Body) -> Iterator[tuple[Token, Token]]:
    for block, token in body.walk():
        if token.type == "cite":
            yield block, token


class _Formatter:
    """citeproc, set up once: every citation registered in reading order, then formatted."""

    def __init__(self, references: Mapping[str, Reference], wanted: list[str], chosen: Style,
                 diags: Diagnostics) -> None:
        from citeproc import CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        self.references, self.diags, self.failed = references, diags, False
        self.wanted = wanted
        self.first = references[wanted[0]].where
        try:  # a style citeproc cannot use (not XML, no <citation>, no <bibliography>) says so, at the style
            self.style = parse_style(chosen)
            for part in ("citation", "bibliography"):
                if getattr(self.style.root, part, None) is None:
                    raise ValueError(f"it has no <{part}> element (is it a CSL style?)")
        except Exception as exc:
            diags.error(chosen.where, f"the CSL style {chosen.name!r} cannot be used: {_reason(exc)}")
            self.failed = True
            return
        # a work without a language is taken to be in the publication's (as Pandoc does): APA's
        # title case is then only applied to the works of an English publication
        items = [{"language": chosen.locale, **references[key].item} for key in wanted]
        for key, item in zip(wanted, items, strict=True):
            problem = self._trial(item)
            if problem:  # each work formatted alone first: what citeproc cannot take is named at its entry
                diags.error(references[key].where, f"reference {key!r} cannot be formatted: {problem}")
                self.failed = True
        if self.failed:
            return
        stand_ins = [{**item, "id": "\u2063" + str(item["id"]), "author": [{"family": STAND_IN}]} for item in items]
        try:
            self.main = CitationStylesBibliography(self.style, CiteProcJSON(items), formatter.html)
            self.alt = CitationStylesBibliography(parse_style(chosen), CiteProcJSON(stand_ins), formatter.html)
            self._register()
            layout = self.style.root.citation.layout
            self.affixes = (layout.get("prefix", ""), layout.get("suffix", ""))
        except Exception as exc:
            diags.error(chosen.where, f"the CSL style {chosen.name!r} cannot format these works: {_reason(exc)}")
            self.failed = True

    def _trial(self, item: dict) -> str | None:
        """Why citeproc cannot cite and list this work with the style (None: it can)."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        try:
            bib = CitationStylesBibliography(self.style, CiteProcJSON([item]), formatter.html)
            citation = Citation([CitationItem(str(item["id"]))])
            bib.register(citation)
            bib.sort()
            cited = str(bib.cite(citation, lambda _: None))
            entries = [str(entry) for entry in bib.bibliography()]
        except Exception as exc:
            return _reason(exc)
        words = [re.sub(r"<[^>]+>", "", text) for text in (cited, *entries)]
        if len(entries) != 1 or not all(re.search(r"\w", html.unescape(w)) for w in words):
            return (f"the style prints it as {html.unescape(words[0])!r} with no entry in the bibliography "
                    "(a field it needs is empty or of the wrong kind: see its author, issued and title)")
        return None

    def _register(self) -> None:
        from citeproc import Citation, CitationItem

        for key in self.wanted:  # reading order: numbers of numeric styles follow it
            self.main.register(Citation([CitationItem(key)]))
            self.alt.register(Citation([CitationItem("\u2063" + key)]))
        self.main.sort()
        self.alt.sort()

    def _cite(self, bib, items: tuple[CiteItem, ...], stand_in: bool, at: SourceLocation) -> str | None:
        from citeproc import Citation, CitationItem
        from citeproc.source import Locator

        cites = []
        for item in items:
            extra = {"locator": Locator(item.label, item.locator)} if item.locator else {}
            cites.append(CitationItem(("\u2063" if stand_in else "") + self.key(item), **extra))
        citation = Citation(cites)
        bib.register(citation)  # every work is registered already: this only ties the citation to it
        try:
            return str(bib.cite(citation, lambda _: None))
        except Exception as exc:
            self.diags.error(at, f"the citation style cannot format this citation: {_reason(exc)}")
            return None

    def key(self, item: CiteItem) -> str:
        return next(k for k in self.wanted if k.lower() == item.key.lower())

    def citation(self, items: tuple[CiteItem, ...], in_text: bool, at: SourceLocation) -> list[Token] | None:
        """The tokens of one formatted citation."""
        full = self._cite(self.main, items, False, at)
        if full is None:
            return None
        if len(items) == 1 and (in_text or items[0].suppress_author):  # Pandoc's two forms of one work
            left_out = self._cite(self.alt, items, True, at)
            if left_out is None:
                return None
            if STAND_IN in left_out:
                full = self._without_author(full, left_out, in_text)
            elif in_text:  # a style without names in its citations ("[1]"): the names in front
                term = self.style.root.get_term("and")
                names = _names(self.references[self.key(items[0])].item, term.text if term is not None else "&")
                full = f"{html.escape(names)} {full}"
        marked = self._marked(full, items, at)
        return list(_tokens(marked, {self.key(i): i for i in items}))

    def _without_author(self, full: str, left_out: str, in_text: bool) -> str:
        """The citation without the author (`[-@a]`: "(2020)"), or with it in front (`@a`: "Smith (2020)")."""
        start = left_out.index(STAND_IN)
        after = left_out[start + 1:]
        cut = left_out[:start] + re.sub(r"^[^\w<(\[]*", "", after)  # and the delimiter after the name
        if not in_text:
            return cut
        same = full.startswith(left_out[:start]) and full.endswith(after)
        name = full[start: len(full) - len(after)] if same else ""
        term = self.style.root.get_term("and")
        if term is not None and term.text:  # APA: "(Smith & Doe, 2020)", but "Smith and Doe (2020)"
            name = name.replace(" &amp; ", f" {html.escape(term.text)} ")
        return f"{name} {cut}" if name else full

    def _marked(self, text: str, items: tuple[CiteItem, ...], at: SourceLocation) -> str:
        """The citation with \\x01key\\x02 … \\x03 around each work's part, and the prefixes and suffixes put in."""
        opening, closing = self.affixes
        for item in items:
            single = self._cite(self.main, (replace(item, prefix="", suffix=""),), False, at) or ""
            inner = single.removeprefix(opening).removesuffix(closing) if opening or closing else single
            if inner == single and (bracketed := re.fullmatch(r"([\[(])([^\[\]()]*)([\])])", single)):
                inner = bracketed.group(2)  # IEEE's brackets are a group's affixes: "[see also 2, p. 4]"
            found = text.find(inner) if inner and "<" not in inner else -1
            key = self.key(item)
            before = html.escape(item.prefix + " ") if item.prefix else ""
            after = html.escape(("" if item.suffix[:1] in ",.;:" else " ") + item.suffix) if item.suffix else ""
            if found < 0:  # `[-@a]` "(2020)", `@a` "Smith (2020)": the whole citation leads to the entry
                text = f"{before}\x01{key}\x02{text}\x03{after}" if len(items) == 1 else text
                continue
            text = (text[:found] + before + f"\x01{key}\x02" + inner + "\x03" + after + text[found + len(inner):])
        return text

    @functools.cached_property
    def entries(self) -> list[tuple[str, str]]:
        """(key, the entry's HTML) of every cited work, in the style's order (formatted once)."""
        found = [str(e) for e in self.main.bibliography()]
        if self.style.root.bibliography.get("second-field-align"):  # "[1]" in a column of its own: citeproc-py
            found = [_FIRST_FIELD.sub(r"\1 ", e, count=1) for e in found]  # prints "[1]Knuth", here "[1] Knuth"
        return [(self.key(CiteItem(item.key)), entry) for item, entry in zip(self.main.items, found, strict=False)]

    def entry(self, key: str, entry: str, anchor: str) -> list[Token]:
        """One work as a paragraph; its links' position is its entry in the reference file (warnings say it)."""
        opener = Token("paragraph_open", "p", 1, block=True)
        opener.attrSet("class", "csl-entry")
        inline = Token("inline", "", 0, block=True, content=html.unescape(re.sub("<[^>]+>", "", entry)))
        span = Token("span_open", "span", 1, meta={"html": {"id": anchor}})
        inline.children = [span, *_tokens(_linked(entry), {}), Token("span_close", "span", -1)]
        for token in inline.children:
            if token.type == "link_open" and token.attrGet("href"):
                token.meta["at"] = self.references[key].where
        return [opener, inline, Token("paragraph_close", "p", -1, block=True)]

    def chapter(self, title: str, setting: SourceLocation) -> Chapter:
        """The bibliography: the cited works in the style's order, each a paragraph."""
        tokens = [t for key, entry in self.entries for t in self.entry(key, entry, f"ref-{key}")]
        body = Body("", SourceLocation(self.first.path, 1, 1), UNIT, tuple(tokens))
        words = sum(len(t.content.split()) for t in tokens if t.type == "inline")
        return Chapter(UNIT, title, None, body, words, setting, None, back_matter=True)

    def listed(self, body: Body, title: str, level: int, prefix: str) -> Body:
        """The text with the works it cites listed under it (a heading `title`, then the entries),
        its citations leading there: `ref-<prefix><key>`, unique on a module's page too."""
        keys = set(cited(body))
        if not keys:
            return body
        for _, token in body.walk():
            if token.type == "link_open" and token.meta.get("citation"):
                token.meta["target"] = Target(body.unit, "heading", f"ref-{prefix}{token.meta['citation']}")
        taken = {str(t.meta.get("id")) for t in body.headings()}
        anchor = "bibliography-" + prefix.rstrip("-") if prefix else "bibliography"
        while anchor in taken:
            anchor += "-1"
        opener = Token("container_div_open", "div", 1, block=True,
                       meta={"html": {"class": "references", "role": "doc-bibliography"}, "references": True})
        heading = Token("heading_open", f"h{level}", 1, block=True, meta={"id": anchor, "level": level, "text": title})
        inline = Token("inline", "", 0, block=True, content=title, children=[Token("text", "", 0, content=title)])
        tokens = [opener, heading, inline, Token("heading_close", f"h{level}", -1, block=True)]
        tokens += [t for key, entry in self.entries if key in keys
                   for t in self.entry(key, entry, f"ref-{prefix}{key}")]
        return replace(body, tokens=(*body.tokens, *tokens, Token("container_div_close", "div", -1, block=True)))


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _names(item: Mapping, conjunction: str) -> str:
    """The authors' names, for an in-text citation of a style without them ("Jansen and de Vries")."""
    people = item.get("author") or item.get("editor") or []
    names = [" ".join(filter(None, (p.get("non-dropping-particle"), p.get("family") or p.get("literal"))))
             for p in people if isinstance(p, dict)]
    if len(names) > 2:
        return f"{names[0]} et al."
    return f" {conjunction} ".join(n for n in names if n) or str(item.get("title", ""))


def _linked(entry: str) -> str:
    """A bibliography entry with its URLs (a DOI too, as citeproc prints it) marked as links."""
    return _URL.sub(lambda m: f"\x04{m.group()}\x05", entry)


def _tokens(marked: str, items: Mapping[str, CiteItem]) -> Iterator[Token]:
    """Tokens of citeproc's HTML (i, b, sup, sub; small caps as text) with the link marks turned into links."""
    parser = _Tokens()
    parser.feed(marked)
    parser.close()
    yield from parser.tokens


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _TAGS:
            self.tokens.append(Token(f"{_TAGS[tag]}_open", _TAGS[tag], 1))

    def handle_endtag(self, tag: str) -> None:
        if tag in _TAGS:
            self.tokens.append(Token(f"{_TAGS[tag]}_close", _TAGS[tag], -1))

    def handle_data(self, data: str) -> None:
        for part in re.split(r"(\x01[^\x02]*\x02|\x03|\x04[^\x05]*\x05)", data):
            if part.startswith("\x01"):
                link = Token("link_open", "a", 1, meta={"target": Target(UNIT, "heading", "ref-" + part[1:-1]),
                                                        "citation": part[1:-1]})
                self.tokens.append(link)
            elif part == "\x03":
                self.tokens.append(Token("link_close", "a", -1))
            elif part.startswith("\x04"):
                url = part[1:-1]
                link = Token("link_open", "a", 1)
                link.attrSet("href", url)
                self.tokens += [link, Token("text", "", 0, content=url), Token("link_close", "a", -1)]
            elif part:
                self.tokens.append(Token("text", "", 0, content=part))


def cited(body: Body) -> list[str]:
    """The keys a text cites, in order of first citation (from the links `resolve` made)."""
    keys = [str(t.meta["citation"]) for _, t in body.walk() if t.type == "link_open" and t.meta.get("citation")]
    return list(dict.fromkeys(keys))


def sources(chapters: tuple[Chapter, ...], body: Body) -> Body | None:
    """The bibliography's entries for the works `body` cites, as a text of their own (a
    handout's short reference list), in the bibliography's order; None if it cites none, or
    lists them itself (`bibliography_placement: chapters`)."""
    keys = set(cited(body))
    bibliography = next((c for c in chapters if c.back_matter and c.slug == UNIT), None)
    if not keys or bibliography is None or any(t.meta.get("references") for t in body.tokens):
        return None
    tokens = bibliography.body.tokens
    picked = [token for i in range(0, len(tokens), 3) if _entry_key(tokens[i + 1]) in keys
              for token in tokens[i:i + 3]]
    return Body("", bibliography.body.source, body.unit, tuple(picked))


def _entry_key(inline: Token) -> str:
    return str((inline.children or [Token("", "", 0)])[0].meta.get("html", {}).get("id", "")).removeprefix("ref-")
