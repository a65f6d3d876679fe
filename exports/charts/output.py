"""One drawing, two outputs: SVG for the page, a vector flowable in PDFs (same numbers, same font)."""
from __future__ import annotations

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing


def svg(drawing: Drawing) -> str:
    return renderSVG.drawToString(drawing)


def flowable(drawing: Drawing) -> Drawing:
    """A Drawing is already a platypus flowable (vector, its font embedded with the document's)."""
    return drawing


def png(drawing: Drawing, dpi: int = 144) -> tuple[bytes, str]:
    """The drawing as a picture to paste into a chat: PNG through ReportLab's renderPM when its
    backend is installed, else through poppler's pdftoppm from the vector PDF, else the SVG itself.
    Returns (bytes, media type)."""
    try:
        from reportlab.graphics import renderPM
        return renderPM.drawToString(drawing, fmt="PNG", dpi=dpi), "image/png"
    except Exception:  # the rlPyCairo backend is optional: fall through
        pass
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from reportlab.graphics import renderPDF
    tool = shutil.which("pdftoppm")
    if tool:
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "chart.pdf"
            renderPDF.drawToFile(drawing, str(pdf))
            done = subprocess.run([tool, "-png", "-r", str(dpi), "-singlefile", str(pdf), str(Path(tmp) / "chart")],
                                  capture_output=True, timeout=20)
            out = Path(tmp) / "chart.png"
            if done.returncode == 0 and out.exists():
                return out.read_bytes(), "image/png"
    return svg(drawing).encode("utf-8"), "image/svg+xml"
