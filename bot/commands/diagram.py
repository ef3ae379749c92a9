"""``teman-ikd diagram``: the flow as a picture for Disdukcapil staff (transitions' diagrams).

Mermaid needs no system packages (paste it into any Mermaid viewer); SVG needs Graphviz
(``pip install graphviz`` and the ``dot`` program).
"""

from __future__ import annotations

from bot.engine.machine import FlowMachine
from bot.flow.model import Flow


class DiagramUnavailable(RuntimeError):
    pass


def render_diagram(flow: Flow, fmt: str = "mermaid") -> str | bytes:
    from transitions.extensions import GraphMachine

    engine = "mermaid" if fmt == "mermaid" else "graphviz"
    if engine == "graphviz":
        try:
            import graphviz  # noqa: F401
        except ImportError as exc:
            raise DiagramUnavailable("SVG needs Graphviz: pip install graphviz, and the 'dot' program "
                                     "(apt-get install graphviz). Mermaid works without them: "
                                     "--format mermaid") from exc
    machine = FlowMachine(flow, machine_class=GraphMachine, graph_engine=engine, show_conditions=True,
                          title="Teman IKD")
    graph = machine._cursor.get_graph()  # type: ignore[attr-defined]
    if engine == "mermaid":
        return graph.draw(None)
    try:
        return graph.draw(None, format="svg", prog="dot")
    except Exception as exc:  # graphviz raises ExecutableNotFound and others
        raise DiagramUnavailable(f"Graphviz could not draw the SVG: {exc}") from exc
