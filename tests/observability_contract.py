"""What on-call's alarms and dashboard read, and how the collector produces it.

Shared by tests/infra/test_observability.py (the Terraform, the collector's configuration and
the manifests agree with each other) and tests/integration/test_metric_names.py (the running
app really exports what they name). The Terraform is read as text: the module keeps every
metric reference in one of three literal shapes (an alarm's namespace/metric_name/dimensions,
a dashboard metric row, a SEARCH expression), and the tests fail if the core metrics stop being
found, so a new shape cannot slip by unread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "infra" / "terraform" / "modules" / "observability"
COLLECTOR = ROOT / "deploy" / "k8s" / "cluster" / "metrics-collector"
OPERATIONS = ROOT / "docs" / "operations.md"

PROMETHEUS_NAMESPACE = "NetflixClone/Prometheus"
ACCESS_LOG_NAMESPACE = "NetflixClone/AccessLog"
_LOCAL_NAMESPACES = {
    "local.prometheus_namespace": PROMETHEUS_NAMESPACE,
    "local.prom": PROMETHEUS_NAMESPACE,
    "local.access_log_namespace": ACCESS_LOG_NAMESPACE,
}


@dataclass(frozen=True)
class MetricUse:
    """One metric an alarm or a widget reads: its dimension names, and the values it fixes
    (None where any value is read: a SEARCH, or a value the module fills in per key)."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str | None], ...]
    where: str

    @property
    def dimension_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.dimensions)


def _value(token: str) -> str | None:
    token = token.strip()
    if token.startswith('"') and token.endswith('"'):
        return token[1:-1]
    return None  # a reference: any value


def _alarm_uses(text: str, where: str) -> list[MetricUse]:
    uses = []
    pattern = re.compile(
        r"namespace\s*=\s*(local\.\w+)\s*\n\s*metric_name\s*=\s*\"(\w+)\"\s*\n"
        r"\s*dimensions\s*=\s*([^\n]+)"
    )
    for match in pattern.finditer(text):
        namespace, metric, dims = match.groups()
        pairs: list[tuple[str, str | None]] = []
        if "local.app_dimensions" in dims:
            pairs.append(("Namespace", None))
        for name, token in re.findall(r"(\w+)\s*=\s*(\"[^\"]*\"|[\w.\[\]\"]+)", dims):
            pairs.append((name, _value(token)))
        uses.append(MetricUse(_LOCAL_NAMESPACES[namespace], metric, tuple(pairs), where))
    return uses


def _row_uses(text: str, where: str) -> list[MetricUse]:
    uses = []
    for match in re.finditer(
        r"\[(local\.(?:prom|access_log_namespace)), \"(\w+)\", ([^{\]]*)\{", text
    ):
        namespace, metric, rest = match.groups()
        tokens = [t.strip() for t in rest.split(",") if t.strip()]
        pairs = [
            (
                str(_value(tokens[i])),
                _value(tokens[i + 1]) if tokens[i + 1] != "var.namespace" else None,
            )
            for i in range(0, len(tokens) - 1, 2)
        ]
        uses.append(MetricUse(_LOCAL_NAMESPACES[namespace], metric, tuple(pairs), where))
    return uses


def _search_uses(text: str, where: str) -> list[MetricUse]:
    uses = []
    pattern = re.compile(
        r"SEARCH\('\{\$\{(local\.\w+)\},([\w,]+)\} MetricName=\\\"(\w+)\\\"([^']*)'"
    )
    for match in pattern.finditer(text):
        namespace, dims, metric, filters = match.groups()
        fixed = dict(re.findall(r"(\w+)=\\\"([^\\]*)\\\"", filters))
        names = dims.split(",")
        pairs = tuple((n, fixed.get(n)) for n in names)
        uses.append(MetricUse(_LOCAL_NAMESPACES[namespace], metric, pairs, where))
    return uses


def terraform_metric_uses() -> list[MetricUse]:
    """Every app metric (Prometheus or access log) the module's alarms and dashboard read."""
    uses: list[MetricUse] = []
    for name in ("alarms.tf", "dashboard.tf"):
        text = (MODULE / name).read_text()
        uses += _alarm_uses(text, name) + _row_uses(text, name) + _search_uses(text, name)
    return [u for u in uses if u.namespace in (PROMETHEUS_NAMESPACE, ACCESS_LOG_NAMESPACE)]


@dataclass(frozen=True)
class LogMetricFilter:
    metric: str
    pattern: str
    value: str
    dimensions: dict[str, str]

    def fields(self) -> set[str]:
        """The access-log fields (under log_processed) the filter reads."""
        text = " ".join([self.pattern, self.value, *self.dimensions.values()])
        return set(re.findall(r"\$\.log_processed\.(\w+)", text))


def log_metric_filters() -> list[LogMetricFilter]:
    text = (MODULE / "dashboard.tf").read_text()
    locals_ = dict(re.findall(r"(\w+)\s*=\s*\"((?:[^\"\\]|\\.)*)\"\n", text))
    filters = []
    blocks = re.findall(
        r'resource "aws_cloudwatch_log_metric_filter" "\w+" \{(.*?)\n\}', text, re.S
    )
    for block in blocks:
        pattern = re.search(r"pattern\s*=\s*\"((?:[^\"\\]|\\.)*)\"", block)
        assert pattern, block
        expanded = pattern.group(1).replace("${local.access_line}", locals_["access_line"])
        dims = dict(re.findall(r"(\w+)\s*=\s*\"(\$\.[\w.]+)\"", block.split("dimensions", 1)[1]))
        filters.append(
            LogMetricFilter(
                metric=re.findall(r"name\s*=\s*\"(\w+)\"", block.split("metric_transformation")[1])[
                    0
                ],
                pattern=expanded.replace('\\"', '"'),
                value=re.findall(r"value\s*=\s*\"([^\"]+)\"", block)[0],
                dimensions=dims,
            )
        )
    return filters


# --- the collector ----------------------------------------------------------------------------


def collector_agent_config() -> dict[str, Any]:
    return dict(json.loads((COLLECTOR / "cwagentconfig.json").read_text()))


def collector_scrape_config() -> dict[str, Any]:
    return dict(yaml.safe_load((COLLECTOR / "prometheus.yaml").read_text()))


@dataclass(frozen=True)
class Declaration:
    selectors: tuple[str, ...]
    source_labels: tuple[str, ...]
    label_matcher: str
    dimensions: tuple[frozenset[str], ...]

    def selects(self, metric: str, labels: dict[str, str] | None = None) -> bool:
        if not any(re.search(s, metric) for s in self.selectors):
            return False
        if labels is None:
            return True
        joined = ";".join(labels.get(name, "") for name in self.source_labels)
        return re.search(self.label_matcher, joined) is not None


def emf_declarations() -> tuple[str, list[Declaration]]:
    emf = collector_agent_config()["logs"]["metrics_collected"]["prometheus"]["emf_processor"]
    declarations = [
        Declaration(
            selectors=tuple(d["metric_selectors"]),
            source_labels=tuple(d["source_labels"]),
            label_matcher=d["label_matcher"],
            dimensions=tuple(frozenset(dims) for dims in d["dimensions"]),
        )
        for d in emf["metric_declaration"]
    ]
    return emf["metric_namespace"], declarations


def _expand(replacement: str, match: re.Match[str]) -> str:
    return re.sub(
        r"\$\{(\d+)\}|\$(\d+)",
        lambda m: match.group(int(m.group(1) or m.group(2))) or "",
        replacement,
    )


def relabel(labels: dict[str, str], configs: list[dict[str, Any]]) -> dict[str, str] | None:
    """Prometheus relabelling (keep, drop, replace) as the collector applies it; None: dropped."""
    labels = dict(labels)
    for config in configs:
        action = config.get("action", "replace")
        source = ";".join(labels.get(name, "") for name in config.get("source_labels", []))
        match = re.fullmatch(f"(?:{config.get('regex', '(.*)')})", source)
        if action == "keep" and not match:
            return None
        if action == "drop" and match:
            return None
        if action == "replace" and match:
            value = _expand(str(config.get("replacement", "$1")), match)
            if value:
                labels[config["target_label"]] = value
            else:
                labels.pop(config["target_label"], None)
    return labels


def emf_series(
    samples: list[tuple[str, dict[str, str]]],
) -> set[tuple[str, frozenset[tuple[str, str]]]]:
    """What CloudWatch receives from scraped samples: (metric, dimension set with values)."""
    scrape = collector_scrape_config()["scrape_configs"][0]
    _, declarations = emf_declarations()
    out = set()
    for name, labels in samples:
        kept = relabel({**labels, "__name__": name}, scrape["metric_relabel_configs"])
        if kept is None:
            continue
        for declaration in declarations:
            if not declaration.selects(name, kept):
                continue
            for dims in declaration.dimensions:
                if all(kept.get(d) for d in dims):
                    out.add((name, frozenset((d, kept[d]) for d in dims)))
    return out
