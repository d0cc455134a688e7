"""The command line: `persklaar` / `python build.py`.

    persklaar [OPTIONS] [build] [OUTPUT…]     build what is out of date (the default command)
    persklaar [OPTIONS] check                 validate without building
    persklaar [OPTIONS] serve [--port N]      build, show the web edition live on 127.0.0.1, rebuild on save
    persklaar new DIR [--language L]          start a publication that builds at once
    persklaar schema [publication|module|data] print the JSON Schema of a content file
    persklaar import PAGE… [--out DIR]        convert Hugo course pages into course YAML

Options may stand before or after the command. Output names, the default set and the
help text come from the output registry. Exit codes: 0 built (or valid), 1 content or
build error (each printed as `path:line:col: message`, never a traceback), 2 bad usage,
70 a bug in persklaar.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .errors import ContentError, PersklaarError, UsageError
from .outputs import REGISTRY

DESCRIPTION = """\
Build a publication (the folder with its content/) into dist/.

commands:
  build      build the outputs (the default: `persklaar` alone builds everything)
  check      validate without building; every problem as path:line:col: message
  serve      build, serve the web edition on 127.0.0.1, rebuild and reload the page on every save
  new        start a publication: `persklaar new DIR [--language nl|en|de|fr] [--title "…"]`
  schema     print the JSON Schema of publication.yaml, a course module or a data table
  import     convert Hugo/Wowchemy course pages into course YAML (see `persklaar import --help`)
"""

EPILOG = """\
examples:
  persklaar new book --language en  make a publication in book/ that builds at once
  persklaar                         build every output into dist/ (only what changed)
  persklaar booklet epub            build only the named outputs
  persklaar check                   validate content/ without building
  persklaar --watch                 rebuild whenever content/, templates/ or styles/ change
  persklaar serve --port 8000       see the web edition at http://127.0.0.1:8000/ while you write
  persklaar -v --jobs 1             say why each output is rebuilt or skipped; one worker
  persklaar import page.md --out content/course/
                                    convert Hugo course pages into course YAML
  (in the repository, `python build.py …` is the same command)

exit codes: 0 built (or valid), 1 content or build error (printed as path:line:col: message;
the previous outputs in dist/ are kept), 2 bad usage, 70 a bug in persklaar
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on bad usage; keep its message short
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _common(suppress: bool) -> _Parser:
    """The options every command takes, before or after its name (after it, a missing
    option must not overwrite one given before it: hence SUPPRESS)."""
    p = _Parser(add_help=False)
    p.add_argument("--root", type=Path, default=argparse.SUPPRESS if suppress else Path("."),
                   help="the publication's folder (default: the current folder)")
    flag = argparse.SUPPRESS if suppress else False
    p.add_argument("--strict", action="store_true", default=flag, help="treat warnings as errors")
    p.add_argument("-q", "--quiet", action="store_true", default=flag, help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", default=flag,
                   help="say why each output is (re)built or skipped")
    return p


def _outputs_help() -> str:
    lines = [f"  {o.name:<10} {o.summary}" for o in REGISTRY]
    return "outputs:\n" + "\n".join(lines) + "\n  all        every output above (the default)\n"


def _build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("outputs", nargs="*", metavar="OUTPUT", help=f"{' | '.join(REGISTRY.names())} | all (default: all)")
    p.add_argument("--watch", action="store_true", help="keep rebuilding on change")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    p.add_argument("--keep-html", action="store_true", help="also write each PDF's HTML to dist/html/")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="persklaar", description=DESCRIPTION, epilog=_outputs_help() + "\n" + EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                parents=[_common(False)])
    commands = p.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", parents=[_common(True)], help="build the outputs (the default command)",
                                prog="persklaar [build]", epilog=_outputs_help() + "\n" + EPILOG,
                                description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    _build_options(build)
    commands.add_parser("check", parents=[_common(True)], help="validate without building")
    serve = commands.add_parser("serve", parents=[_common(True)], help="show the web edition live while you write",
                                description="Build, serve the web edition on 127.0.0.1 and rebuild on every save; "
                                            "open pages reload themselves, the other outputs follow in the background.")
    serve.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1 (default 8000; 0: any free one)")
    serve.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    serve.set_defaults(outputs=[], keep_html=False)
    new = commands.add_parser("new", parents=[_common(True)], help="start a publication that builds at once",
                              description="Make a new publication in DIR (absent or empty): publication.yaml, "
                                          "two chapters, a course module, a data table and a README.")
    new.add_argument("folder", type=Path, metavar="DIR", help="the new publication's folder")
    new.add_argument("--language", default="en", help="nl, en, de or fr (default: en)")
    new.add_argument("--title", help="the publication's title")
    new.add_argument("--author", help="the author's name")
    schema = commands.add_parser("schema", parents=[_common(True)], help="print a content file's JSON Schema",
                                 description="JSON Schema of publication.yaml, a course module or a data table, "
                                             "for editors that complete and check YAML (VS Code's YAML extension).")
    schema.add_argument("kind", nargs="?", choices=("publication", "module", "data"), default="publication")
    schema.add_argument("--write", type=Path, metavar="DIR", help="write all three as DIR/<kind>.json instead")
    imp = commands.add_parser("import", parents=[_common(True)], help="convert Hugo course pages into course YAML",
                              description="Convert Hugo/Wowchemy course pages into course module YAML.",
                              epilog="Problems are printed as page:line:col; a page with errors is not written, "
                                     "and an existing module file is kept unless --force is given.")
    imp.add_argument("pages", nargs="+", type=Path, metavar="PAGE", help="a Hugo/Wowchemy course page (.md)")
    imp.add_argument("--out", type=Path, default=Path("content/course"), metavar="DIR",
                     help="where the module YAML files go (default: content/course)")
    imp.add_argument("--force", action="store_true", help="overwrite existing module files")
    fonts = commands.add_parser("fonts", parents=[_common(True)], help="add a free font for Chinese, Japanese, Korean",
                                description="Fetch a free (SIL OFL) Noto font from the npm registry into the "
                                            "publication's fonts/, checked against the registry's SHA-512, and "
                                            "name it in theme.fonts.scripts in content/publication.yaml.")
    fonts_commands = fonts.add_subparsers(dest="action", metavar="ACTION", required=True)
    fonts_add = fonts_commands.add_parser("add", parents=[_common(True)], help="fetch a font into fonts/")
    fonts_add.add_argument("font", metavar="FONT", help="noto-sans-sc, noto-sans-tc, noto-sans-hk, noto-sans-jp "
                                                      "or noto-sans-kr")
    return p


COMMANDS = ("build", "check", "serve", "new", "schema", "import", "fonts")


def _with_command(argv: list[str]) -> list[str]:
    """`persklaar booklet`, `persklaar --watch` and `persklaar --help` mean `persklaar build …`."""
    if any(arg in COMMANDS for arg in argv):
        return argv
    return ["build", *argv]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = _parser().parse_args(_with_command(argv))
        except SystemExit as exc:  # --help, --version: argparse printed what was asked
            return int(exc.code or 0)
        if args.quiet and args.verbose:
            raise UsageError("persklaar: -q and -v exclude each other")
        commands = {"build": run_build, "check": run_check, "serve": run_serve, "new": run_new,
                    "schema": run_schema, "import": run_import,
                    "fonts": run_fonts}
        return commands[args.command](args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ContentError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        print(f"{len(exc.diagnostics)} problem(s); nothing was built or changed.", file=sys.stderr)
        return 1
    except PersklaarError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("the previous outputs in dist/ were left as they were.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _outputs(names: list[str]) -> tuple[str, ...]:
    if not names or "all" in names:
        return REGISTRY.defaults()
    for name in names:
        try:
            REGISTRY.get(name)
        except UsageError as exc:
            raise UsageError(f"persklaar: {exc}, or `all`; commands: {', '.join(COMMANDS)}") from None
    return tuple(dict.fromkeys(names))


def _request(args):
    from .build.pipeline import Request
    from .outputs import BuildOptions

    if args.jobs < 1:
        raise UsageError("persklaar: --jobs must be at least 1")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    options = BuildOptions(keep_html=args.keep_html,
                           source_date_epoch=int(epoch) if epoch and epoch.isdigit() else None)
    return Request(args.root.resolve(), _outputs(args.outputs), args.jobs, args.strict, options)


def _verbosity(args) -> int:
    return 0 if args.quiet else 2 if args.verbose else 1


def run_build(args) -> int:
    from . import app

    req = _request(args)
    _require_project(req.root)
    if args.watch:
        from .build.watch import watch

        return watch(req, lambda: app.build_once(req, _verbosity(args)))
    return app.build_once(req, _verbosity(args))


def run_serve(args) -> int:
    from . import app

    req = _request(args)
    _require_project(req.root)
    if not 0 <= args.port <= 65535:
        raise UsageError("persklaar: --port must be between 0 and 65535")
    return app.serve(req, args.port, _verbosity(args))


def run_check(args) -> int:
    from . import app

    _require_project(args.root)
    return app.check(args.root, args.strict, args.quiet)


def run_new(args) -> int:
    from . import app

    return app.new(args.folder, args.language, args.title, args.author, quiet=args.quiet)


def run_schema(args) -> int:
    from . import app

    return app.schema(args.kind, args.write)


def run_import(args) -> int:
    from .importer import run_import as do_import

    return do_import([str(p) for p in args.pages], str(args.out), args.force, lambda m: print(m, file=sys.stderr),
                     strict=args.strict)


def run_fonts(args) -> int:
    from .importer.fontsource import FontFetchError, add

    _require_project(args.root)
    try:
        return add(args.root.resolve(), args.font, lambda m: None if args.quiet else print(m, file=sys.stderr))
    except FontFetchError as exc:
        print(f"persklaar fonts add: {exc}", file=sys.stderr)
        return 1


def _require_project(root: Path) -> None:
    if not (root / "content").is_dir():
        raise UsageError(f"persklaar: {root} has no content/ folder (use --root to point at a project)")


def entry() -> None:
    """Console-script entry: a bug is one line (the traceback only with PERSKLAAR_DEBUG=1)."""
    try:
        sys.exit(main())
    except Exception as exc:
        if os.environ.get("PERSKLAAR_DEBUG"):
            traceback.print_exc()
        print(f"persklaar: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("This is a bug, not your content (no file in dist/ is left half-written). Please report it "
              "(PERSKLAAR_DEBUG=1 shows the traceback).", file=sys.stderr)
        sys.exit(70)
