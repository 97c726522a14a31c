"""Altair chart builders: pure functions that take liqcore results and return `alt.Chart` objects.

One module per topic (heatmap, sentiment, volatility, breakouts, validation). Charts rely on the host's theme for
text and axis colours so they read in light and dark themes alike.
"""

from liqcore.charts.records import install

install()  # every chart's DataFrames become inline rows a column at a time (same values as Altair's default)
