"""What the booklet's pages are made with (shared by the output and its page builder)."""

STYLESHEETS = ("tokens.css", "fonts.css", "code.css", "callouts.css", "math.css", "references.css", "booklet.css")
