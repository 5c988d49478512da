"""The behaviour check: flows of sensitive data, persistence, disguised commands, risky endpoints,
and least privilege between sensitive sources and ways out."""

from __future__ import annotations

from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.behaviour import behaviour_of
from wxreg.review.behaviour.flow import BehaviourReport
from wxreg.review.checks.permissions import capability_view
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

# Permissions that read what the user would not want sent away (chat messages, files, databases, registry).
SOURCE_PERMISSIONS = ("message.process", "file.read", "database.read", "system.registry")
NETWORK_PERMISSIONS = ("network.http", "network.https", "network.socket")
PROCESS_PERMISSIONS = ("system.command",)


def least_privilege(
    declared: set[str], report: BehaviourReport, used: frozenset[str] = frozenset()
) -> Iterator[Finding]:
    """A sensitive source declared with a way out (network, command) that the code does not use: neither the
    behaviour analysis saw it nor the capability analysis (``used``: permissions the code's module uses need,
    e.g. an SDK such as ``openai`` that talks HTTPS for the plugin)."""
    sources = sorted(declared.intersection(SOURCE_PERMISSIONS))
    if not sources:
        return
    unused = []
    if not report.uses_network and not used.intersection(NETWORK_PERMISSIONS):
        unused += sorted(declared.intersection(NETWORK_PERMISSIONS))
    if not report.uses_process and not used.intersection(PROCESS_PERMISSIONS):
        unused += sorted(declared.intersection(PROCESS_PERMISSIONS))
    if unused:
        yield rules.B006.at("plugin.json", source_permission=", ".join(sources), unused=", ".join(unused))


def findings(report: BehaviourReport, declared: set[str], used: frozenset[str] = frozenset()) -> Iterator[Finding]:
    for flow in report.flows:
        source, sink = flow.source, flow.sink
        yield rules.B001.at(
            sink.path,
            sink.line,
            source=source.what,
            source_at=f"{source.path}:{source.line}",
            sink=f"{sink.kind} {sink.what}",
            sink_at=f"{sink.path}:{sink.line}",
        )
    by_kind = {"persistence": rules.B002, "disguised": rules.B003, "webhook": rules.B004, "raw_ip": rules.B005,
               "too_deep": rules.B007}
    for hit in report.hits:
        yield by_kind[hit.kind].at(hit.path, hit.line, what=hit.what)
    yield from least_privilege(declared, report, used)


class BehaviourCheck:
    name = "behaviour"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        raw = (ctx.manifest or {}).get("permissions")
        declared = {p for p in raw if isinstance(p, str)} if isinstance(raw, list) else set()
        report = behaviour_of(ctx.tree)
        try:
            used = capability_view(ctx).used
        except RecursionError:  # the permissions check reports that code as crashing the analysis
            used = frozenset()
        yield from findings(report, declared, used)
