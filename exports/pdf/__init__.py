"""The PDF layer: the ReportLab document, the embedded fonts, the signature and verification flowables."""
