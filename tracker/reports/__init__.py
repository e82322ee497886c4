"""Reporting periods, monthly progress reports, evidence and the office's review."""
