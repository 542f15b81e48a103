"""What self-contained graph pages need (the explorer's kg/explorer/page.py, offline and served live):
vis-network read from the pyvis package to be inlined, JSON safe inside a
``<script>`` element, the Content-Security-Policy's script hashes, and rendering a Jinja template.
:func:`render_vis_page` does all of it for a template that inlines vis-network, the data and one script.

A leaf module (only kg.errors): a page uses it without loading the graph or store modules.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError

if TYPE_CHECKING:
    from jinja2 import Environment

SHARED_TEMPLATES = Path(__file__).parent / "templates"


def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the pyvis package (read, then inlined)."""
    # Found without importing pyvis (its package imports IPython and networkx: ~0.4 s for two files).
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise KgError("the pyvis package (which ships vis-network) is not installed")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # '</script' would end the inline element early; '<!--' could switch the parser into its
    # double-escaped script state, where our closing tag no longer closes anything.
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise KgError("vis-network assets contain markup that cannot be inlined safely")
    return js, css


def json_for_script(data: Any) -> str:
    """JSON safe inside <script>: no '</script', '<!--' or ']]>' can form, nor JS line terminators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def script_hashes(*scripts: str) -> str:
    """The CSP ``script-src`` sources admitting exactly these inline scripts (by hash), space-separated."""
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"
        for code in scripts
    )


def _environment(templates: Path) -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    # The shared pieces (vis_head.html, vis_scripts.html, dom_helpers.js) are kg/templates', found after the
    # page's own folder.
    loader = FileSystemLoader([str(templates), str(SHARED_TEMPLATES)])
    return Environment(loader=loader, autoescape=select_autoescape(["html"]))


def page_script(templates: Path, name: str) -> str:
    """A page's own script ``name`` from ``templates``, the shared pieces it includes filled in (not escaped):
    ``{% include "dom_helpers.js" %}`` on a line of its own stands for the DOM helpers both pages use."""
    script = _environment(templates).get_template(name).render()
    # Jinja drops the file's last newline (and an included file's, which the line of the include gives back).
    return script + "\n" if (templates / name).read_text(encoding="utf-8").endswith("\n") else script


def render_vis_page(templates: Path, name: str, title: str, app_js: str, data: Any, **context: Any) -> str:
    """A page that inlines vis-network, ``data`` as JSON and the page's own script ``app_js``, as text.

    The template gets ``title``, ``vis_js``, ``vis_css``, ``app_js``, ``data_json``, ``script_hashes`` (its
    Content-Security-Policy admits exactly the two scripts, by hash: markup that ever slipped out of issue
    text could not run a script), ``connect_src`` (``'none'`` unless given: an offline page fetches nothing)
    and ``context``.
    """
    vis_js, vis_css = vis_assets()
    context.setdefault("connect_src", "'none'")
    return (
        _environment(templates)
        .get_template(name)
        .render(
            title=title,
            vis_js=vis_js,
            vis_css=vis_css,
            app_js=app_js,
            script_hashes=script_hashes(vis_js, app_js),
            data_json=json_for_script(data),
            **context,
        )
    )
