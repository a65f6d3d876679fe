"""The whole case as one XLSX workbook, and each of its tables as CSV (issue 14).

`registry.py` holds the sheets (features register theirs: `register(Sheet(...))`); `core_sheets.py`
the incident's own (claimants, demand items, offers, samples, agreements, timeline); `writer.py`
writes them through `exports/sheets.py`, so no cell can run as a formula.
"""
