"""Links out of the publication: found before anything is read, and refused again by each reader
(as if the first look had missed one: a link made between the check and the read)."""

from __future__ import annotations

from pathlib import Path

import pytest

from persklaar.core.resolve import Resolver
from persklaar.core.sources import LINK_OUT, link_out, links_out
from persklaar.core.theme import Theme
from persklaar.errors import ContentError

MARKER = "OUTSIDE-MARKER"


@pytest.fixture
def pub(tmp_path: Path) -> Path:
    root = tmp_path / "pub"
    for folder in ("content/essay", "templates/web", "styles", "fonts"):
        (root / folder).mkdir(parents=True)
    (tmp_path / "secret.txt").write_text(MARKER)
    (root / "content/essay/01-a.md").write_text("# A\n")
    return root.resolve()


def test_link_out_is_by_real_path(pub: Path) -> None:
    secret = pub.parent / "secret.txt"
    (pub / "content/out.md").symlink_to(secret)
    (pub / "content/in.md").symlink_to(pub / "content/essay/01-a.md")
    (pub / "content/loop.md").symlink_to("loop.md")
    (pub / "fonts/dir").symlink_to(pub.parent, target_is_directory=True)
    assert link_out(pub / "content/out.md", pub)
    assert link_out(pub / "fonts/dir/secret.txt", pub)  # through a folder link
    assert not link_out(pub / "content/in.md", pub)  # a link inside the publication is fine
    assert not link_out(pub / "content/loop.md", pub)  # left to the reader ("a broken or looping link")
    assert not link_out(secret, pub)  # not written under the publication: a theme file, not its
    assert [str(d) for d in links_out(pub)] == [f"content/out.md:1:1: {LINK_OUT}", f"fonts/dir:1:1: {LINK_OUT}"]


def test_every_reader_refuses_a_link_out(pub: Path) -> None:
    from persklaar.render.templating import environment

    secret = pub.parent / "secret.txt"
    (pub / "templates/web/base.html").symlink_to(secret)
    (pub / "styles/custom.css").symlink_to(secret)
    (pub / "styles/tokens.css").symlink_to(secret)
    (pub / "fonts/x.woff2").symlink_to(secret)
    (pub / "content/essay/foto.png").symlink_to(secret)
    theme = Theme.of(pub)
    for read in (theme.custom_css, lambda: theme.find("styles/tokens.css"),
                 lambda: environment(tuple(theme.template_dirs()), theme.root).get_template("web/base.html")):
        with pytest.raises(ContentError, match=LINK_OUT) as caught:
            read()
        assert MARKER not in str(caught.value)
    assert Resolver(pub).image("foto.png", "content/essay") == LINK_OUT
    assert Resolver(pub).font("fonts/x.woff2") == LINK_OUT
    assert theme.find("styles/booklet.css") == theme.default / "styles/booklet.css"  # the theme's own is fine
