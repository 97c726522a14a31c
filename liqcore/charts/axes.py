"""Axis label expressions shared by the charts (Vega expressions, evaluated in the browser)."""

from __future__ import annotations


def usd_labels(value: str = "datum.value") -> str:
    """USD tick labels with SI prefixes as traders write them: "$0", "$450k", "$1.2M", "$1.2B".

    d3's "s" format writes a billion with "G" and zero with the precision's digits ("$0.0"); `value` is the
    expression to label (e.g. "abs(datum.value)" for an axis mirrored around zero).
    """
    return f"{value} == 0 ? '$0' : replace(format({value}, '$,.2s'), 'G', 'B')"
