"""The packs analyse each resource as the program registers it, as the engine does.

``pulumi`` calls ``Analyze`` when a resource is registered and ``AnalyzeStack`` once the program is
done. The offline preview does the same: the fake AWS hands each new record to ``AnalysisSession.add``
(any thread); a worker turns it into the analyzer's view (``analyzer.StackBuilder``, and
``phases.PreviewView`` for what the preview sees) and sends ``Analyze`` without waiting, so the pack
processes work while the program still runs. ``finish`` collects the answers, runs ``AnalyzeStack``
and merges the phases (``merge_phases``).

Packs boot and are configured on another thread (``PolicyPacks.start``) while the program imports;
records wait in the queue until the packs are ready.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Sequence
from typing import Any, Optional

from .analyzer import Diagnostic, PolicyPacks, StackBuilder, StackResource, analyzable
from .phases import PreviewView
from .report import COST_POLICY

__all__ = ["AnalysisSession", "merge_phases"]

_DONE = object()


def merge_phases(preview: Sequence[Diagnostic], update: Optional[Sequence[Diagnostic]]) -> list[Diagnostic]:
    """``pulumi up`` as one list of findings: the preview phase's if it found a mandatory violation
    (the CLI stops there) or ``update`` is None; else the update phase's, then what only the preview
    shows (values it cannot know yet), each saying whether the preview shows it."""
    if update is None:
        return list(preview)
    if any(d.level in ("mandatory", "remediate") for d in preview):
        return [dataclasses.replace(d, at_preview=True) for d in preview]
    shown = set(preview)
    seen = set(update)
    return [dataclasses.replace(d, at_preview=d in shown) for d in update] + [
        dataclasses.replace(d, at_preview=True) for d in preview if d not in seen and d.policy != COST_POLICY
    ]  # one cost estimate: the update's


class AnalysisSession:
    """One preview's analysis. ``mode`` ``preview``: the packs see the preview view only; ``up``: the
    update view, and the preview view of each resource where the two differ."""

    def __init__(self, packs: PolicyPacks, builder: StackBuilder, mode: str):
        self.packs, self.builder, self.mode = packs, builder, mode
        self.view = PreviewView()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._failure: Optional[BaseException] = None
        # (resource, phase, pack index, future); phase "preview" or "update"
        self._sent: list[tuple[StackResource, str, int, Any]] = []
        self._starter = threading.Thread(target=self._start_packs, name="preview-packs-start", daemon=True)
        self._worker = threading.Thread(target=self._work, name="preview-analyze", daemon=True)

    def begin(self) -> None:
        self._starter.start()
        self._worker.start()

    def add(self, record: Any) -> None:
        """A new registration (called by the fake, from any thread)."""
        self._queue.put(record)

    def _start_packs(self) -> None:
        try:
            self.packs.start()
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self._failure = exc
        finally:
            self._ready.set()

    def _work(self) -> None:
        self._ready.wait()
        while True:
            record = self._queue.get()
            if record is _DONE:
                return
            if self._failure is not None:
                continue  # keep draining; finish() reports the failure
            try:
                self._send(record)
            except BaseException as exc:  # noqa: BLE001 - reported by finish()
                self._failure = exc

    def _send(self, record: Any) -> None:
        res = self.builder.add(record)
        at_preview = self.view.add(res)
        if not analyzable(res):
            return
        for index, pack in enumerate(self.packs.packs):
            if self.mode == "preview":
                self._sent.append((at_preview, "preview", index, pack.analyze_later(at_preview)))
                continue
            self._sent.append((res, "update", index, pack.analyze_later(res)))
            if at_preview.inputs != res.inputs:
                self._sent.append((at_preview, "preview", index, pack.analyze_later(at_preview)))

    def cancel(self) -> None:
        self._queue.put(_DONE)

    def finish(self, records: Sequence[Any], outputs: dict) -> tuple[list[StackResource], list[Diagnostic]]:
        """Once the program is done: (the resources as analysed, every finding)."""
        self._queue.put(_DONE)
        self._worker.join()
        self._starter.join()
        if self._failure is not None:
            raise self._failure
        resources = self.builder.resources(records, outputs)
        at_preview = self.view.resources(resources)
        order = {r.urn: i for i, r in enumerate(resources)}
        # Answers in resource order, per pack then phase (pack order as the packs were given).
        answers: dict[tuple[int, str], list[tuple[int, list[Diagnostic]]]] = {}
        for res, phase, index, future in self._sent:
            found = self.packs.packs[index].analyzed(res, future)
            answers.setdefault((index, phase), []).append((order[res.urn], found))

        def in_order(index: int, phase: str) -> dict[str, list[Diagnostic]]:
            return {
                resources[i].urn: found
                for i, found in sorted(answers.get((index, phase), []), key=lambda item: item[0])
            }

        def per_pack(index: int) -> tuple[list[Diagnostic], Optional[list[Diagnostic]]]:
            pack = self.packs.packs[index]
            preview_found = in_order(index, "preview")
            if self.mode == "preview":
                return (
                    [d for r in resources for d in preview_found.get(r.urn, [])] + pack.analyze_stack(at_preview),
                    None,
                )
            update_found = in_order(index, "update")
            update = [d for r in resources for d in update_found.get(r.urn, [])]
            preview = [d for r in resources for d in preview_found.get(r.urn, update_found.get(r.urn, []))]
            return preview + pack.analyze_stack(at_preview), update + pack.analyze_stack(resources)

        phases = self.packs.each_pack(lambda pack: [per_pack(self.packs.packs.index(pack))])  # in pack order
        preview = [d for p, _ in phases for d in p]
        update = None if self.mode == "preview" else [d for _, u in phases for d in u or []]
        return resources, merge_phases(preview, update)
