"""What the docs/*_pictures.py scripts share: LibreOffice prints the files to PDF, poppler turns pages into PNGs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def soffice() -> str:
    """LibreOffice's command; both tools are needed, else the script stops with the reason."""
    found = shutil.which("soffice")
    if found is None or shutil.which("pdftoppm") is None:
        sys.exit("Cần LibreOffice (soffice) và poppler-utils (pdftoppm).")
    return found


def print_to_pdf(files: list[Path], outdir: Path) -> None:
    """Each file as `outdir/<stem>.pdf`, printed by LibreOffice in Vietnamese, with a profile of its own in `outdir`."""
    env = {**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}
    subprocess.run([soffice(), f"-env:UserInstallation={(outdir / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
                   env=env, check=True, capture_output=True)


def page_png(pdf: Path, page: int, name: str, dpi: int) -> None:
    """Page `page` of `pdf` as docs/<name>.png."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(DOCS / name)], check=True)
