"""`persklaar fonts add noto-sans-sc`: a free CJK font fetched into the publication's fonts/.

The font comes from the npm registry (the only place the machines may reach), as the
fontsource project packages Google's Noto fonts (SIL OFL 1.1). The package's metadata
names its tarball and the tarball's SHA-512 (`dist.integrity`); the tarball is read into
memory up to a limit, checked against that digest and opened as data: only the two WOFF2
files needed (regular and bold of the script's subset) and the licence are taken, each
checked to be a font that has the space and the script's letters. Nothing in the package
is run. The files are written to fonts/ (each via a temporary file and a rename), and
`theme.fonts.scripts` in content/publication.yaml gets the entry, so the next build sets
the script in that font behind the body font. A build never changes publication.yaml;
this command is the author asking for it.

PERSKLAAR_NPM_REGISTRY names another registry (the tests serve one on 127.0.0.1).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import PersklaarError

REGISTRY = "https://registry.npmjs.org"
MAX_TARBALL = 400 * 1024 * 1024  # the CJK packages are 50–130 MB; anything bigger is not one of them
TIMEOUT = 60


@dataclass(frozen=True)
class Package:
    subset: str   # fontsource's name of the script's subset
    script: str   # shown to the author
    sample: str   # characters the font must have


PACKAGES = {
    "noto-sans-sc": Package("chinese-simplified", "Chinese (Simplified)", "中文，。"),
    "noto-sans-tc": Package("chinese-traditional", "Chinese (Traditional)", "中文"),
    "noto-sans-hk": Package("chinese-hongkong", "Chinese (Hong Kong)", "中文"),
    "noto-sans-jp": Package("japanese", "Japanese", "日本語かなカナ"),
    "noto-sans-kr": Package("korean", "Korean", "한국어"),
}
WEIGHTS = (("regular", 400), ("bold", 700))


class FontFetchError(PersklaarError):
    pass


def add(root: Path, name: str, say=print) -> int:
    """Fetch the font package `name` into `root`/fonts/ and name it in publication.yaml."""
    if name not in PACKAGES:
        raise FontFetchError(f"unknown font {name!r}: persklaar fonts add takes one of {', '.join(PACKAGES)}")
    config = root / "content" / "publication.yaml"
    if not config.is_file():
        raise FontFetchError(f"{root} has no content/publication.yaml (use --root to point at a publication)")
    package = PACKAGES[name]
    registry = os.environ.get("PERSKLAAR_NPM_REGISTRY", REGISTRY).rstrip("/")
    meta = json.loads(_get(f"{registry}/@fontsource%2f{name}/latest", 4 * 1024 * 1024))
    version, licence = meta.get("version", "?"), meta.get("license")
    if licence != "OFL-1.1":
        raise FontFetchError(f"@fontsource/{name} {version} says its licence is {licence!r}, not OFL-1.1: not added")
    tarball, integrity = meta.get("dist", {}).get("tarball"), meta.get("dist", {}).get("integrity", "")
    if not tarball or not integrity.startswith("sha512-"):
        raise FontFetchError(f"@fontsource/{name} {version}: the registry gives no tarball with a sha512 integrity")
    say(f"fetching @fontsource/{name} {version} ({package.script}) …")
    data = _get(tarball, MAX_TARBALL)
    if base64.b64encode(hashlib.sha512(data).digest()).decode() != integrity.removeprefix("sha512-"):
        raise FontFetchError(f"@fontsource/{name} {version}: the tarball's SHA-512 is not the one the registry "
                             "lists (a damaged or altered download); nothing was written")
    files = _fonts(data, name, package)
    fonts = root / "fonts"
    if fonts.is_symlink() or (fonts.exists() and not fonts.is_dir()):
        raise FontFetchError(f"{fonts} is not a folder of the publication")
    fonts.mkdir(exist_ok=True)
    for target, content in files.items():
        _write(fonts / target, content)
        say(f"wrote fonts/{target} ({len(content) / 1024:,.0f} KB)")
    entry = {key: f"fonts/{name}-{weight}.woff2" for key, weight in WEIGHTS}
    _register(config, entry, say)
    say(f"{package.script} is set in Noto Sans {name.rsplit('-', 1)[1].upper()} (SIL Open Font License 1.1, "
        f"fonts/LICENSE-{name}.txt) in every output from the next build")
    return 0


def _get(url: str, limit: int) -> bytes:
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise FontFetchError(f"refusing to fetch {url}: only https (or a local test registry) is used")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (checked above)
            data = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FontFetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FontFetchError(f"cannot reach {url}: {reason} (is this machine online?)") from None
    if len(data) > limit:
        raise FontFetchError(f"{url} is larger than {limit // (1024 * 1024)} MB: not a font package")
    return data


def _fonts(data: bytes, name: str, package: Package) -> dict[str, bytes]:
    """The files to write (name in fonts/ → bytes), read from the tarball as data."""
    wanted = {f"package/files/{name}-{package.subset}-{weight}-normal.woff2": f"{name}-{weight}.woff2"
              for _, weight in WEIGHTS}
    wanted["package/LICENSE"] = f"LICENSE-{name}.txt"
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        found[wanted[member.name]] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise FontFetchError(f"@fontsource/{name}: the tarball cannot be read ({exc})") from None
    missing = sorted(set(wanted) - {k for k, v in wanted.items() if v in found})
    if missing:
        raise FontFetchError(f"@fontsource/{name}: the package lacks {', '.join(missing)}; nothing was written")
    for target, content in found.items():
        if target.endswith(".woff2"):
            _check_font(target, content, package)
    return found


def _check_font(target: str, content: bytes, package: Package) -> None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        cmap = TTFont(io.BytesIO(content)).getBestCmap() or {}
    except (TTLibError, OSError, ValueError, KeyError, AssertionError) as exc:
        raise FontFetchError(f"{target} in the package is not a font ({exc}); nothing was written") from None
    lacking = [c for c in " " + package.sample if ord(c) not in cmap]
    if lacking:
        raise FontFetchError(f"{target} in the package has no glyph for {''.join(lacking)!r}; nothing was written")


def _write(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(content)
    os.replace(temporary, path)


# ---------------------------------------------------------------- publication.yaml


def _register(config: Path, entry: dict[str, str], say) -> None:
    """Add `entry` to theme.fonts.scripts by inserting lines (comments and order kept);
    where the file's shape does not allow that safely, say what to add instead."""
    text = config.read_text("utf-8")
    data = yaml.safe_load(text) or {}
    theme = data.get("theme") if isinstance(data, dict) else None
    fonts = theme.get("fonts") if isinstance(theme, dict) else None
    scripts = fonts.get("scripts") if isinstance(fonts, dict) else None
    if isinstance(scripts, list) and any(entry["regular"] in (s.values() if isinstance(s, dict) else [s])
                                         for s in scripts):
        say(f"content/publication.yaml already names {entry['regular']} in theme.fonts.scripts")
        return
    item = [f"- regular: {entry['regular']}", f"  bold: {entry['bold']}"]
    lines = text.splitlines()
    edited = _inserted(lines, theme, fonts, scripts, item)
    if edited is not None:
        new = "\n".join(edited) + "\n"
        try:
            check = yaml.safe_load(new)
            ok = check["theme"]["fonts"]["scripts"][-1] == entry
        except (yaml.YAMLError, KeyError, TypeError, IndexError):
            ok = False
        if ok:
            _write(config, new.encode("utf-8"))
            say("added it to theme.fonts.scripts in content/publication.yaml")
            return
    say("add these lines under theme: fonts: scripts: in content/publication.yaml:\n      " + "\n      ".join(item))


def _inserted(lines: list[str], theme, fonts, scripts, item: list[str]) -> list[str] | None:
    if theme is None and not any(line.startswith("theme:") for line in lines):
        return [*lines, "theme:", "  fonts:", "    scripts:", *("      " + x for x in item)]
    if not isinstance(theme, dict):
        return None
    at = _key_line(lines, "theme", 0)
    if at is None:
        return None
    if fonts is None:
        return [*lines[: at + 1], "  fonts:", "    scripts:", *("      " + x for x in item), *lines[at + 1:]]
    fonts_at = _key_line(lines, "fonts", 2, at + 1)
    if not isinstance(fonts, dict) or fonts_at is None:
        return None
    if scripts is None:
        return [*lines[: fonts_at + 1], "    scripts:", *("      " + x for x in item), *lines[fonts_at + 1:]]
    scripts_at = _key_line(lines, "scripts", 4, fonts_at + 1)
    if not isinstance(scripts, list) or scripts_at is None:
        return None
    end, indent = scripts_at + 1, None
    for n in range(scripts_at + 1, len(lines)):  # the list's lines: its items, more indented than `scripts:`
        line = lines[n]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip())
        if depth <= 4 and not (depth == 4 and line.lstrip().startswith("- ")):
            break
        if indent is None and line.lstrip().startswith("- "):
            indent = depth
        end = n + 1
    return [*lines[:end], *(" " * (indent or 6) + x for x in item), *lines[end:]]


def _key_line(lines: list[str], key: str, indent: int, start: int = 0) -> int | None:
    """The line of `key:` at exactly `indent` spaces, alone on its line (a block mapping)."""
    for n in range(start, len(lines)):
        line = lines[n]
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) < indent:
            return None  # left the parent mapping
        if line.startswith(" " * indent + key + ":") and line.split(":", 1)[1].split("#")[0].strip() == "":
            return n
    return None
