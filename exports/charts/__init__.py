"""Charts drawn once with ReportLab graphics and shown twice: as SVG on the page, as vector drawings in
PDFs (issue 14). `figures.py` draws, `crowd.py` and `deadlines.py` compute the figures from the record
(the timeline and the crowd tables), `output.py` turns a drawing into SVG or a PDF flowable.

Why ReportLab and not a browser charting library: one drawing, the same numbers and the same embedded
CJK font in both places, no second implementation in JavaScript to keep in step, nothing for the
strict CSP to allow.
"""
