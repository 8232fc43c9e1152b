"""Build Liaison's static front-end files from the npm packages into build/static/.

Copies the NHS.UK frontend's compiled CSS, JS and images, and rewrites the stylesheet so that
nothing is fetched from outside the service: image paths point at our static URL, and the
@font-face rules that load Frutiger from a CDN are dropped (the design system falls back to
Arial, as it does wherever Frutiger is not licensed).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
OUT = ROOT / "build" / "static" / "nhsuk"
STATIC_URL = "/static/nhsuk/assets/"


def main() -> int:
    if not DIST.exists():
        print("nhsuk-frontend is not installed: run `npm ci` first", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "assets").mkdir(parents=True)
    shutil.copytree(DIST / "assets" / "images", OUT / "assets" / "images")
    css = (DIST / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    css = re.sub(r"@font-face\{[^}]*https?://[^}]*\}", "", css)
    css = css.replace("url(/assets/", f"url({STATIC_URL}")
    if "https://" in css or "http://" in css:
        print("the NHS.UK stylesheet still refers to an outside address", file=sys.stderr)
        return 1
    (OUT / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    shutil.copy2(DIST / "nhsuk-frontend.min.js", OUT / "nhsuk-frontend.min.js")
    version = json.loads((DIST.parent.parent / "package.json").read_text())["version"]
    (OUT / "VERSION").write_text(version + "\n")
    print(f"built NHS.UK frontend {version} into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
