"""CSV downloads: text a spreadsheet would run as a formula is neutralised; numbers and times are left alone."""

from __future__ import annotations

import io

import pandas as pd

from liqcore.export import to_csv_safe


def test_formula_cells_get_a_leading_apostrophe() -> None:
    frame = pd.DataFrame(
        {
            "side": ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "long", "a=b"],
            "usd": [1.0, -2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    back = pd.read_csv(io.BytesIO(to_csv_safe(frame)), keep_default_na=False)
    assert back["side"].tolist()[:4] == ['\'=HYPERLINK("x")', "'+1+1", "'-2+3", "'@SUM(A1)"]
    assert back["side"].tolist()[6:] == ["long", "a=b"]
    raw = to_csv_safe(frame).decode()
    assert "'\tcmd" in raw and "'\rcmd" in raw
    assert back["usd"].tolist() == frame["usd"].tolist()


def test_numbers_times_and_safe_text_round_trip_unchanged() -> None:
    frame = pd.DataFrame(
        {
            "distance_pct": [-1.5, 2.25],
            "t0": pd.to_datetime(["2026-01-01 00:00", "2026-01-01 00:05"], utc=True),
            "side": pd.Series(["long", "short"], dtype="string"),
        }
    )
    text = to_csv_safe(frame).decode()
    assert text.split("\r\n")[0] == "distance_pct,t0,side"
    assert "-1.5," in text and "'-" not in text
    back = pd.read_csv(io.StringIO(text))
    assert back["side"].tolist() == ["long", "short"]


def test_hostile_column_names_are_neutralised_too() -> None:
    header = to_csv_safe(pd.DataFrame({"=cmd()": ["x"], "ok": [1]})).decode().splitlines()[0]
    assert header == "'=cmd(),ok"


def test_chart_png_carries_title_data_label_and_the_word_estimate() -> None:
    import altair as alt

    from liqcore.export import chart_png, titled_spec

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x:Q", y="y:Q")
    spec = chart.to_dict()
    page = titled_spec({**spec, "width": "container"}, "Side profile", "Simulator · seed 7")
    assert page["title"]["text"] == "Side profile" and page["title"]["subtitle"] == "Simulator · seed 7 · estimate"
    assert page["width"] == 1200 and page["background"] == "white"
    assert "title" not in spec  # the cached spec is left alone
    assert titled_spec(spec, "Heatmap (estimate)", "BTCUSDT")["title"]["subtitle"] == "BTCUSDT"
    png = chart_png(spec, "Side profile", "Simulator · seed 7", width=300, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(png)).size[0] >= 300


def test_a_column_mixing_numbers_and_formulas_is_neutralised_and_rows_end_in_crlf() -> None:
    frame = pd.DataFrame({"note": [1.5, "=1+1", None, "-x"], "n": [1, 2, 3, 4]})
    raw = to_csv_safe(frame)
    assert raw.decode("utf-8").split("\r\n") == ["note,n", "1.5,1", "'=1+1,2", ",3", "'-x,4", ""]
    assert to_csv_safe(pd.DataFrame({"city": ["Zürich"]})) == "city\r\nZürich\r\n".encode()
