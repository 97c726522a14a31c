"""Streamlit building blocks shared by the frame and the pages (widgets only; the maths lives in liqcore)."""
