"""The explorer: one offline HTML page an analyst steers (search, filters, expand, evidence).

``data.explorer_data`` reads a store (or a SPARQL endpoint) into plain JSON-able data;
``page.render_page`` writes it into one self-contained HTML file.  ``kg explore`` is the CLI.
"""

from kg.explorer.data import ExplorerOptions, explorer_data
from kg.explorer.page import render_page

__all__ = ["ExplorerOptions", "explorer_data", "render_page"]
