"""`kg validate`: SHACL validation of the built graph against ontology/shapes.ttl, run as SPARQL by Oxigraph.

Loading the whole store into rdflib for pyshacl took minutes and over a gigabyte on the LWKD build.  Instead
each constraint of the shapes file is compiled into one SPARQL SELECT that returns the focus nodes (and
values) violating it, run by Oxigraph over the union of the content graphs (the build's bookkeeping graph is
left out, as it was from the rdflib copy).  The compiler covers the SHACL Core features the shapes file uses
and more (targets: class with subclasses, node, subjects-of, objects-of; constraints: min/max count,
datatype with well-formed lexical form, class, node kind, in, has value, value ranges, string lengths and
pattern, or/and/not/node of such shapes, SPARQL-based constraints); a shape using anything else is refused
with an error naming it, so no constraint is ever skipped silently.  tests/test_validate.py checks that it
reports what pyshacl reports, focus node by focus node.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import ids
from kg.errors import KgError
from kg.resources import data_file
from kg.store import GraphStore

SHAPES_FILE = data_file("shapes.ttl")
THREADS = 2

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose lexical form SPARQL can check (a cast of an ill-formed literal fails): SHACL counts an
# ill-formed literal, e.g. "x"^^xsd:integer, as a datatype violation.
_CASTABLE = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime")}
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}
_RANGES = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
# Shape keys that are not constraints (or are handled apart).
_TARGETS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"}
_INERT = {"name", "description", "message", "severity", "deactivated", "order", "group", "defaultValue"}


@dataclass(frozen=True)
class Violation:
    focus: str  # the focus node, N-Triples form
    shape: str  # the node shape's IRI
    component: str  # the SHACL constraint component, e.g. sh:MinCountConstraintComponent
    path: str | None  # the property path, N-Triples form (None for node-level constraints)
    value: str | None  # the offending value, N-Triples form, when there is one
    message: str


@dataclass
class Report:
    quads: int
    graphs: int
    checks: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def render(self, shapes: Path = SHAPES_FILE, show: int = 50) -> str:
        scope = (
            f"{self.quads} quads in {self.graphs} named graphs (all but the build's bookkeeping) "
            f"checked against the {self.checks} constraints of {shapes.name}"
        )
        if self.conforms:
            return f"{scope}: conforms (no violations)"
        lines = [f"{scope}: does NOT conform, {len(self.violations)} violation(s)"]
        for v in self.violations[:show]:
            lines.append(f"  {_short(v.focus)} [{_short(v.shape)}, {_short(v.component)}] {v.message}")
        if len(self.violations) > show:
            lines.append(f"  … and {len(self.violations) - show} more")
        return "\n".join(lines)


def validate_store(
    build_dir: Path, shapes: Path = SHAPES_FILE, progress: bool | None = None
) -> tuple[bool, str]:  # the API the CLI and tests use
    """(conforms, report text) for the union of the store's content graphs."""
    report = validate(build_dir, shapes, progress=progress)
    return report.conforms, report.render(shapes)


def validate(build_dir: Path, shapes: Path = SHAPES_FILE, progress: bool | None = None) -> Report:
    with GraphStore.open(build_dir, read_only=True) as graph:
        content = [g for g in graph.named_graphs() if g != ids.GRAPH_BUILD]
        bookkeeping = _predicates(graph, ids.GRAPH_BUILD)
        if bookkeeping & ({RDF_TYPE, RDFS_SUBCLASS} | _shape_predicates(shapes)):
            raise KgError(
                f"{build_dir}: the build's bookkeeping graph uses a predicate the shapes check; cannot validate"
            )
        # The bookkeeping graph shares no predicate with the shapes (checked above), so the union of all graphs
        # gives the same results as the content graphs alone; Oxigraph runs a union query many times faster
        # than one over an explicit list of hundreds of graphs.

        def select(sparql: str) -> Iterator[Any]:
            try:
                return iter(graph.query(sparql))
            except KgError as err:  # a compiler bug or a bad sh:select: name it
                raise KgError(f"{shapes}: cannot run a constraint query: {err}\n{sparql}") from err

        checks = compile_shapes(shapes, _subclass_closure(select))
        quads = graph.count() - _count(graph, ids.GRAPH_BUILD)
        report = Report(quads=quads, graphs=len(content), checks=len(checks))
        advance, stop = _progress(len(checks), sys.stderr.isatty() if progress is None else progress)
        try:

            def run(check: Check) -> list[Violation]:
                found = []
                allowed = None
                if check.needs_focus_filter:  # an sh:select query finds nodes anywhere: keep the shape's targets
                    allowed = {str(row["this"]) for row in select(check.focus_query)}
                for row in select(check.sparql):
                    if allowed is None or str(row["this"]) in allowed:
                        found.extend(check.violations(row))
                return found

            # Oxigraph releases the GIL while it evaluates: two threads keep both cores busy.
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                for check, found in zip(checks, pool.map(run, checks), strict=True):
                    advance(check.label)
                    report.violations.extend(found)
        finally:
            stop()
    report.violations.sort(key=lambda v: (v.focus, v.shape, v.component, v.path or "", v.value or ""))
    return report


def _predicates(graph: GraphStore, name: str) -> set[str]:
    return {q.predicate.value for q in graph.quads(graph=name)}


def _shape_predicates(path: Path) -> set[str]:
    """Every IRI the shapes file names (paths, targets, classes): a superset of what the checks read."""
    return {str(term) for triple in _Shapes(path).graph for term in triple if not str(term).startswith(SH)}


def _count(graph: GraphStore, name: str) -> int:
    return sum(1 for _ in graph.quads(graph=name))


def _progress(total: int, enabled: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    from kg.progress import bar

    return bar(total, "validating", enabled)


@dataclass(frozen=True)
class Outcome:
    """One constraint a check's query tests: its component and message (with {focus} and {value})."""

    component: str
    template: str
    path: str | None = None
    flag: str | None = None  # the query's boolean column saying this constraint failed on the row
    min_count: int | None = None  # count checks: the row's ?count against these bounds
    max_count: int | None = None

    def failed(self, row: Any) -> bool:
        if self.min_count is not None or self.max_count is not None:
            count = int(row["count"].value)
            return (self.min_count is not None and count < self.min_count) or (
                self.max_count is not None and count > self.max_count
            )
        if self.flag is None:
            return True
        failed = row[self.flag]
        return failed is not None and failed.value == "true"


@dataclass(frozen=True)
class Check:
    """One query returning a row (?this, and ?value or ?count) per focus node or value failing a constraint;
    several constraints of one property share a query (one pass over the data instead of one each)."""

    shape: str
    sparql: str
    outcomes: tuple[Outcome, ...]
    with_values: bool = False  # the rows carry the offending ?value
    focus_query: str = ""
    needs_focus_filter: bool = False

    @property
    def label(self) -> str:
        path = next((o.path for o in self.outcomes if o.path), None)
        return f"{_short(self.shape)} {_short(path) if path else ''}".strip()

    def violations(self, row: Any) -> Iterator[Violation]:
        focus = str(row["this"])
        value = row["value"] if self.with_values else None
        shown = None if value is None else str(value)
        for outcome in self.outcomes:
            if outcome.failed(row):
                message = outcome.template.format(focus=_short(focus), value=_short(shown or focus))
                yield Violation(focus, self.shape, outcome.component, outcome.path, shown, message)


def _subclass_closure(select: Callable[[str], Iterator[Any]]) -> Callable[[str], list[str]]:
    """Class IRI -> it and its subclasses in the data (SHACL's class checks and class targets follow
    rdfs:subClassOf in the data graph, here the ontology's graph)."""
    cache: dict[str, list[str]] = {}

    def closure(cls: str) -> list[str]:
        if cls not in cache:
            rows = select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* <{cls}> }}")
            cache[cls] = sorted({str(r["c"]) for r in rows} | {f"<{cls}>"})
        return cache[cls]

    return closure


class _Shapes:
    """The shapes graph (rdflib: it is small) and helpers to read it."""

    def __init__(self, path: Path) -> None:
        import rdflib

        self.rdflib = rdflib
        self.path = path
        try:
            self.graph = rdflib.Graph().parse(path, format="turtle")
        except Exception as err:  # rdflib raises many kinds; one line naming the file
            raise KgError(f"{path}: cannot read the shapes: {err}") from err

    def sh(self, name: str) -> Any:
        return self.rdflib.URIRef(SH + name)

    def values(self, node: Any, name: str) -> list[Any]:
        return sorted(self.graph.objects(node, self.sh(name)), key=str)

    def one(self, node: Any, name: str) -> Any:
        found = self.values(node, name)
        return found[0] if found else None

    def items(self, node: Any) -> list[Any]:
        from rdflib.collection import Collection

        return list(Collection(self.graph, node))

    def keys(self, node: Any) -> set[str]:
        return {str(p)[len(SH) :] for p in self.graph.predicates(node) if str(p).startswith(SH)}

    def term(self, node: Any) -> str:
        """SPARQL / N-Triples form of an rdflib term."""
        return node.n3()


def compile_shapes(path: Path, closure: Callable[[str], list[str]]) -> list[Check]:
    shapes = _Shapes(path)
    rdf_type = shapes.rdflib.RDF.type
    checks: list[Check] = []
    for node_shape in sorted(set(shapes.graph.subjects(rdf_type, shapes.sh("NodeShape"))), key=str):
        if shapes.one(node_shape, "deactivated") is not None and bool(shapes.one(node_shape, "deactivated").toPython()):
            continue
        shape_iri = shapes.term(node_shape)
        focus = _focus_pattern(shapes, node_shape, closure)
        if focus is None:
            continue  # no targets: the shape only serves as a value of sh:node / sh:or
        focus_query = f"SELECT DISTINCT ?this WHERE {{ {focus} }}"
        # Node-level constraints: the focus node is the value.
        for key in sorted(shapes.keys(node_shape) - _TARGETS - _INERT - {"property", "sparql"}):
            for argument in shapes.values(node_shape, key):
                condition, component, template = _value_constraint(shapes, key, argument, "?this", closure, node_shape)
                sparql = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!({condition})) }}"
                checks.append(Check(shape_iri, sparql, (Outcome(component, template),)))
        for sparql_constraint in shapes.values(node_shape, "sparql"):
            select = shapes.one(sparql_constraint, "select")
            if select is None:
                raise KgError(f"{path}: {shape_iri}: an sh:sparql constraint without sh:select is not supported")
            message = str(shapes.one(sparql_constraint, "message") or "SPARQL constraint violated")
            sparql = str(select).replace("$this", "?this")
            outcome = Outcome("sh:SPARQLConstraintComponent", message.replace("{", "{{").replace("}", "}}"))
            checks.append(Check(shape_iri, sparql, (outcome,), focus_query=focus_query, needs_focus_filter=True))
        for prop in shapes.values(node_shape, "property"):
            checks.extend(_property_checks(shapes, shape_iri, prop, focus, closure))
    return checks


def _focus_pattern(shapes: _Shapes, node_shape: Any, closure: Callable[[str], list[str]]) -> str | None:
    classes_only = not any(shapes.values(node_shape, k) for k in ("targetNode", "targetSubjectsOf", "targetObjectsOf"))
    targets = shapes.values(node_shape, "targetClass")
    if classes_only and targets:
        # One pattern, no sub-select (duplicates are harmless: every check is DISTINCT or counts DISTINCT values).
        classes = sorted({c for cls in targets for c in closure(str(cls))})
        if len(classes) == 1:
            return f"?this <{RDF_TYPE}> {classes[0]} ."
        return f"?this <{RDF_TYPE}> ?_class . VALUES ?_class {{ {' '.join(classes)} }}"
    parts = []
    for cls in targets:
        classes = " ".join(closure(str(cls)))
        parts.append(f"{{ ?this <{RDF_TYPE}> ?_class . VALUES ?_class {{ {classes} }} }}")
    nodes = shapes.values(node_shape, "targetNode")
    if nodes:
        parts.append(f"{{ VALUES ?this {{ {' '.join(shapes.term(n) for n in nodes)} }} }}")
    for predicate in shapes.values(node_shape, "targetSubjectsOf"):
        parts.append(f"{{ ?this {shapes.term(predicate)} ?_object }}")
    for predicate in shapes.values(node_shape, "targetObjectsOf"):
        parts.append(f"{{ ?_subject {shapes.term(predicate)} ?this }}")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _path(shapes: _Shapes, prop: Any, shape_iri: str) -> str:
    path = shapes.one(prop, "path")
    if not isinstance(path, shapes.rdflib.URIRef):
        raise KgError(f"{shapes.path}: {shape_iri}: only predicate paths are supported, got {path!r}")
    return shapes.term(path)


def _property_checks(
    shapes: _Shapes, shape_iri: str, prop: Any, focus: str, closure: Callable[[str], list[str]]
) -> list[Check]:
    """At most three queries per property: the value counts, the class of each value (MINUS is much
    faster than FILTER NOT EXISTS in Oxigraph), and every other value constraint in one FILTER."""
    path = _path(shapes, prop, shape_iri)
    where = _short(path)
    checks = []
    keys = shapes.keys(prop) - {"path"} - _INERT
    low = shapes.one(prop, "minCount")
    high = shapes.one(prop, "maxCount")
    if low is not None or high is not None:
        low_n = None if low is None else int(low.toPython())
        high_n = None if high is None else int(high.toPython())
        tests = ([f"?count < {low_n}"] if low_n is not None else []) + (
            [f"?count > {high_n}"] if high_n is not None else []
        )
        # Without a minimum, nodes with no value cannot fail: an inner join is enough.
        values = f"OPTIONAL {{ ?this {path} ?value }}" if low_n else f"?this {path} ?value ."
        sparql = (
            f"SELECT ?this ?count WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?count) "
            f"WHERE {{ {focus} {values} }} GROUP BY ?this }} FILTER({' || '.join(tests)}) }}"
        )
        outcomes = []
        if low_n is not None:
            outcomes.append(
                Outcome(
                    "sh:MinCountConstraintComponent",
                    f"Less than {low_n} values on {{focus}}->{where}",
                    path,
                    min_count=low_n,
                )
            )
        if high_n is not None:
            outcomes.append(
                Outcome(
                    "sh:MaxCountConstraintComponent",
                    f"More than {high_n} values on {{focus}}->{where}",
                    path,
                    max_count=high_n,
                )
            )
        checks.append(Check(shape_iri, sparql, tuple(outcomes)))
    for value in shapes.values(prop, "hasValue"):
        term = shapes.term(value)
        sparql = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {term} }} }}"
        outcome = Outcome("sh:HasValueConstraintComponent", f"{{focus}}->{where} lacks the value {_short(term)}", path)
        checks.append(Check(shape_iri, sparql, (outcome,)))
    for cls in shapes.values(prop, "class"):
        classes = " ".join(closure(str(cls)))
        sparql = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . "
            f"MINUS {{ ?value <{RDF_TYPE}> ?_t . VALUES ?_t {{ {classes} }} }} }}"
        )
        template = f"Value {{value}} does not have class {_short(shapes.term(cls))}"
        checks.append(Check(shape_iri, sparql, (Outcome("sh:ClassConstraintComponent", template, path),), True))
    flags: list[tuple[str, str]] = []
    outcomes = []
    for key in sorted(keys - {"minCount", "maxCount", "hasValue", "class"}):
        for argument in shapes.values(prop, key):
            condition, component, template = _value_constraint(shapes, key, argument, "?value", closure, prop)
            if not template:
                continue  # sh:flags, read with sh:pattern
            flag = f"?failed{len(flags)}"
            flags.append((f"!({condition})", flag))
            outcomes.append(Outcome(component, template, path, flag=flag[1:]))
    if outcomes:
        failing = " || ".join(f"({failed})" for failed, _ in flags)
        columns = " ".join(f"({failed} AS {flag})" for failed, flag in flags)
        sparql = f"SELECT DISTINCT ?this ?value {columns} WHERE {{ {focus} ?this {path} ?value . FILTER({failing}) }}"
        checks.append(Check(shape_iri, sparql, tuple(outcomes), True))
    return checks


def _value_constraint(
    shapes: _Shapes, key: str, argument: Any, v: str, closure: Callable[[str], list[str]], owner: Any
) -> tuple[str, str, str]:
    """(SPARQL expression true when the value ``v`` satisfies the constraint, component, message template)."""
    if key == "class":
        classes = " ".join(closure(str(argument)))
        return (
            f"EXISTS {{ {v} <{RDF_TYPE}> ?_t . VALUES ?_t {{ {classes} }} }}",
            "sh:ClassConstraintComponent",
            f"Value {{value}} does not have class {_short(shapes.term(argument))}",
        )
    if key == "datatype":
        datatype = shapes.term(argument)
        condition = f"(isLiteral({v}) && sameTerm(datatype({v}), {datatype})"
        if str(argument) in _CASTABLE:
            condition += f" && COALESCE({datatype}(STR({v})) = {v}, false)"
        return (
            condition + ")",
            "sh:DatatypeConstraintComponent",
            f"Value {{value}} is not a well-formed Literal with datatype {_short(datatype)}",
        )
    if key == "nodeKind":
        kind = str(argument)[len(SH) :]
        if kind not in _NODE_KINDS:
            raise KgError(f"{shapes.path}: unknown sh:nodeKind {argument}")
        return (
            _NODE_KINDS[kind].format(v=v),
            "sh:NodeKindConstraintComponent",
            f"Value {{value}} is not of Node Kind sh:{kind}",
        )
    if key == "in":
        members = [shapes.term(t) for t in shapes.items(argument)]
        condition = " || ".join(f"sameTerm({v}, {m})" for m in members) or "false"
        listed = ", ".join(_short(m) for m in members)
        return f"({condition})", "sh:InConstraintComponent", f"Value {{value}} not in list [{listed}]"
    if key in _RANGES:
        bound = shapes.term(argument)
        return (
            f"COALESCE({v} {_RANGES[key]} {bound}, false)",
            f"sh:{key[0].upper()}{key[1:]}ConstraintComponent",
            f"Value {{value}} is not {_RANGES[key]} {_short(bound)}",
        )
    if key in ("minLength", "maxLength"):
        op = ">=" if key == "minLength" else "<="
        return (
            f"(!isBlank({v}) && COALESCE(STRLEN(STR({v})) {op} {int(argument.toPython())}, false))",
            f"sh:{key[0].upper()}{key[1:]}ConstraintComponent",
            f"String length of {{value}} not {op} {int(argument.toPython())}",
        )
    if key == "pattern":
        flags = shapes.one(owner, "flags")
        flag_arg = f", {shapes.term(flags)}" if flags is not None else ""
        return (
            f"(!isBlank({v}) && COALESCE(REGEX(STR({v}), {shapes.term(argument)}{flag_arg}), false))",
            "sh:PatternConstraintComponent",
            f"Value {{value}} does not match pattern {argument}",
        )
    if key == "flags":
        return "true", "sh:PatternConstraintComponent", ""  # read with sh:pattern
    if key in ("or", "and"):
        members = [_shape_condition(shapes, member, v, closure) for member in shapes.items(argument)]
        joiner = " || " if key == "or" else " && "
        return (
            "(" + joiner.join(members) + ")",
            f"sh:{key.capitalize()}ConstraintComponent",
            f"Node {{value}} does not conform to {'any' if key == 'or' else 'all'} of the shapes in sh:{key}",
        )
    if key == "not":
        return (
            f"!({_shape_condition(shapes, argument, v, closure)})",
            "sh:NotConstraintComponent",
            "Node {value} conforms to the shape in sh:not",
        )
    if key == "node":
        return (
            _shape_condition(shapes, argument, v, closure),
            "sh:NodeConstraintComponent",
            f"Value {{value}} does not conform to shape {_short(shapes.term(argument))}",
        )
    raise KgError(f"{shapes.path}: the SHACL feature sh:{key} is not supported by kg validate")


def _shape_condition(shapes: _Shapes, shape: Any, v: str, closure: Callable[[str], list[str]]) -> str:
    """An expression true when ``v`` conforms to a (nested) shape made of value constraints."""
    keys = shapes.keys(shape) - _INERT - {"flags"}
    if "property" in keys or "sparql" in keys or "path" in keys:
        raise KgError(f"{shapes.path}: nested shapes with properties are not supported by kg validate")
    conditions = [
        _value_constraint(shapes, key, argument, v, closure, shape)[0]
        for key in sorted(keys)
        for argument in shapes.values(shape, key)
    ]
    return "(" + (" && ".join(conditions) or "true") + ")"


_SHORT = {
    SH: "sh:",
    "https://w3id.org/cnkg/ontology#": "cnkg:",
    "https://w3id.org/cnkg/shapes#": "shapes:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    XSD: "xsd:",
    "https://schema.org/": "schema:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#": "nif:",
}


def _short(term: str) -> str:
    """<http://…#x> as prefix:x where the prefix is a known one; anything else unchanged."""
    if term.startswith("<") and term.endswith(">"):
        for namespace, prefix in _SHORT.items():
            if term[1:].startswith(namespace):
                return prefix + term[1 + len(namespace) : -1]
    return term
