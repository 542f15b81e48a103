"""Query results in the analyst's tools: typed pandas DataFrames and a read-only rdflib view of the store.

Kept apart from :mod:`kg.store` (the door to the store) because these shape results for pandas and rdflib,
which only :meth:`kg.store.GraphStore.query_df` and :meth:`~kg.store.GraphStore.to_rdflib` load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from kg.errors import KgError
from kg.terms import to_python
from kg.vocab import PREFIXES, XSD

if TYPE_CHECKING:
    import pandas
    import rdflib


def solutions_frame(result: QuerySolutions, *, lang: bool = False, shorten: bool = False) -> pandas.DataFrame:
    """SELECT solutions as a DataFrame with typed columns (see :meth:`kg.store.GraphStore.query_df`)."""
    import pandas

    names = [v.value for v in result.variables]
    terms = [[row[name] for name in names] for row in result]
    columns: dict[str, Any] = {}
    for index, name in enumerate(names):
        column = [row[index] for row in terms]
        columns[name] = _typed_column(column, shorten)
        if lang and any(isinstance(t, Literal) and t.language for t in column):
            columns[name + "_lang"] = [t.language if isinstance(t, Literal) else None for t in column]
    return pandas.DataFrame(columns, columns=list(columns))


def read_only_dataset(oxi: Store) -> rdflib.Dataset:
    """An rdflib Dataset over the same Oxigraph store (oxrdflib), refusing writes; nothing is copied."""
    import rdflib

    dataset = rdflib.Dataset(store=_read_only_store_class()(store=oxi), default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True)
    return dataset


_DATES = {XSD.date.value, "http://www.w3.org/2001/XMLSchema#dateTime"}
# xsd:integer and the types derived from it, and the other numeric types.
_INTEGERS = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_FLOATS = {XSD.decimal.value, XSD.double.value, XSD.float.value}


def _typed_column(column: list[Any], shorten: bool) -> Any:
    """One result column as a pandas-ready sequence typed by its literals' datatypes."""
    import pandas

    present = [t for t in column if t is not None]
    datatypes = {t.datatype.value for t in present if isinstance(t, Literal)}
    all_literals = bool(present) and all(isinstance(t, Literal) for t in present)
    if all_literals and datatypes <= _DATES:
        try:  # missing values become NaT
            return pandas.to_datetime([None if t is None else t.value for t in column], format="ISO8601")
        except (ValueError, TypeError):  # e.g. values in several time zones: left as text
            return [to_python(t) for t in column]
    if all_literals and datatypes <= _INTEGERS:
        return pandas.array([None if t is None else int(t.value) for t in column], dtype="Int64").astype(
            "int64" if len(present) == len(column) else "Int64"
        )
    if all_literals and datatypes <= _INTEGERS | _FLOATS:
        return pandas.array([float("nan") if t is None else float(t.value) for t in column], dtype="float64")
    if all_literals and datatypes == {XSD.boolean.value}:
        values = [None if t is None else t.value in ("true", "1") for t in column]
        return pandas.array(values, dtype="bool" if len(present) == len(column) else "boolean")
    if shorten:
        return [_short_iri(t.value) if isinstance(t, NamedNode) else to_python(t) for t in column]
    return [to_python(t) for t in column]


def _short_iri(iri: str) -> str:
    """``prefix:local`` for an IRI a prefix of the graph covers (the longest namespace wins)."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if not best:
        return iri
    local = iri[len(PREFIXES[best]) :]
    # For reading, not for pasting into SPARQL: a local part may hold '/' (``id:issue/lwkd/2021-07-25``).
    return f"{best}:{local}" if local and "#" not in local else iri


def _read_only_store_class() -> type:
    from oxrdflib import OxigraphStore

    class ReadOnlyOxigraphStore(OxigraphStore):  # type: ignore[misc]
        """oxrdflib's store over our Oxigraph store, refusing writes (the store is built by `kg build`)."""

        def _refuse(self, *_args: Any, **_kwargs: Any) -> None:
            raise KgError("the rdflib view of the graph is read-only; the store is written by `kg build`")

        add = addN = remove = update = add_graph = remove_graph = _refuse

    return ReadOnlyOxigraphStore
