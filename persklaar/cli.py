"""The command line: `python build.py` / `persklaar`.

Exit codes: 0 built (or valid), 1 content or build error, 2 bad usage.
Expected errors print as `path:line:col: message` lines, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .errors import ContentError, PersklaarError, UsageError

OUTPUT_CHOICES = ("all", "booklet", "epub", "handouts")

EPILOG = """\
examples:
  python build.py                   build every output into dist/ (only what changed)
  python build.py booklet epub      build only the PDF booklet and the EPUB
  python build.py check             validate content/ without building
  python build.py --watch           rebuild whenever content/, templates/ or styles/ change
  python build.py -v --jobs 1       say why each output is rebuilt or skipped; one worker
  python build.py import page.md --out content/course/
                                    convert Hugo course pages into course YAML

exit codes: 0 built (or valid), 1 content or build error (printed as path:line:col: message;
the previous outputs in dist/ are kept), 2 bad usage
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on bad usage; keep its message short
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="persklaar", description="Build the publication in content/ into dist/.",
                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outputs", nargs="*", metavar="OUTPUT",
                   help="all | booklet | epub | handouts (default: all)")
    p.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current folder)")
    p.add_argument("--watch", action="store_true", help="keep rebuilding on change")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    p.add_argument("--keep-html", action="store_true", help="also write each PDF's HTML to dist/html/")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="say why each output is (re)built or skipped")
    return p


def _check_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="persklaar check", description="Validate content/ without building.")
    p.add_argument("--root", type=Path, default=Path("."))
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def _import_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="persklaar import", description="Convert Hugo course pages into course module YAML.",
                epilog="Problems are printed as page:line:col; a page with errors is not written, "
                       "and an existing module file is kept unless --force is given.")
    p.add_argument("pages", nargs="+", type=Path, metavar="PAGE", help="a Hugo/Wowchemy course page (.md)")
    p.add_argument("--out", type=Path, default=Path("content/course"), metavar="DIR",
                   help="where the module YAML files go (default: content/course)")
    p.add_argument("--force", action="store_true", help="overwrite existing module files")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["check"]:
            return run_check(_check_parser().parse_args(argv[1:]))
        if argv[:1] == ["import"]:
            return run_import(_import_parser().parse_args(argv[1:]))
        return run_build(_build_parser().parse_args(argv))
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ContentError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        errors = sum(1 for d in exc.diagnostics if d.severity == "error" or "--strict" in d.message)
        print(f"{errors or len(exc.diagnostics)} problem(s); nothing was built or changed.", file=sys.stderr)
        return 1
    except PersklaarError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("the previous outputs in dist/ were left as they were.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _outputs(names: list[str]) -> tuple[str, ...]:
    for name in names:
        if name not in OUTPUT_CHOICES:
            raise UsageError(f"persklaar: unknown output {name!r} (choose from {', '.join(OUTPUT_CHOICES)}, or the command check/import)")
    if not names or "all" in names:
        return ("booklet", "epub", "handouts")
    return tuple(dict.fromkeys(names))


def _request(args):
    from .outputs import BuildOptions
    from .build.pipeline import Request

    if args.jobs < 1:
        raise UsageError("persklaar: --jobs must be at least 1")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    options = BuildOptions(keep_html=args.keep_html, source_date_epoch=int(epoch) if epoch and epoch.isdigit() else None)
    return Request(args.root.resolve(), _outputs(args.outputs), args.jobs, args.strict, options)


def run_build(args) -> int:
    if args.quiet and args.verbose:
        raise UsageError("persklaar: -q and -v exclude each other")
    req = _request(args)
    _require_project(req.root)
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    if args.watch:
        from .build.watch import watch

        return watch(req, verbosity)
    return build_once(req, verbosity)


def build_once(req, verbosity: int) -> int:
    from .build.pipeline import build
    from .build.report import make_reporter

    reporter = make_reporter(verbosity)
    try:
        summary = build(req, reporter)
    finally:
        reporter.close()
    reporter.summary(summary)
    return 0


def run_check(args) -> int:
    from .core.load import load

    _require_project(args.root)
    pub, warnings = load(args.root)
    for w in warnings:
        print(w, file=sys.stderr)
    if args.strict and warnings:
        print(f"{len(warnings)} warning(s), which --strict makes errors.", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"content is valid: {len(pub.chapters)} chapters, {len(pub.modules)} module(s), "
              f"{len(pub.tables)} data table(s), {len(pub.links)} links, {len(warnings)} warning(s)")
    return 0


def run_import(args) -> int:
    from .importer.hugo import run_import as do_import

    return do_import([str(p) for p in args.pages], str(args.out), args.force, lambda m: print(m, file=sys.stderr))


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
