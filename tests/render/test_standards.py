"""The PDF standards: every choice of the schema has a way to be made, and nothing else."""

from __future__ import annotations

import pytest

from persklaar.core import standards as names
from persklaar.errors import BuildError
from persklaar.render import standards


def test_every_choice_is_made_with_a_weasyprint_variant_and_tags():
    assert set(standards.VARIANTS) == set(names.CHOICES)
    assert names.DEFAULT in names.CHOICES
    for choice in names.CHOICES:
        options = standards.write_options(choice)
        assert options["pdf_tags"] is True
        assert options["pdf_variant"].startswith("pdf/ua-1" if choice == "ua-1" else "pdf/a-")


def test_declared_standards():
    assert names.declared("ua-1+a-2u") == ("PDF/UA-1", "PDF/A-2u")
    assert names.declared("a-3u") == ("PDF/A-3u",)
    assert [c for c in names.CHOICES if names.is_accessible(c)] == ["ua-1+a-2u", "ua-1"]


def test_an_unknown_standard_is_refused():
    with pytest.raises(BuildError, match="unknown PDF standard 'a-4u'"):
        standards.write_options("a-4u")
