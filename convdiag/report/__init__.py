"""A diagnosis as a person reads it, beside its JSON form (the engine's models): text for a
terminal (`text`), a self-contained HTML page with matplotlib's plots (`html`), and the HTML
fragment a notebook shows. The engine imports none of it; importing this package hands the
fragment to the engine's `Diagnosis._repr_html_`."""

from convdiag.report.html import render_fragment
from diagnosis.models import register_html_renderer

register_html_renderer(render_fragment)
