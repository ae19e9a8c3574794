"""The OpenTelemetry usage sink with the real SDK and its in-memory exporters."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import write_manifest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from regctl.client import Registry
from regctl.client.usage_otel import OTelSink


@pytest.fixture
def otel() -> tuple[OTelSink, InMemorySpanExporter, InMemoryMetricReader]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    sink = OTelSink(tracer_provider, MeterProvider(metric_readers=[reader]))
    return sink, spans, reader


def _points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    out: dict[str, list[Any]] = {}
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                out[metric.name] = list(metric.data.data_points)
    return out


def test_span_and_metrics_follow_genai_conventions(
    tmp_path: Path, otel: tuple[OTelSink, InMemorySpanExporter, InMemoryMetricReader]
) -> None:
    sink, spans, reader = otel
    reg = Registry.load(write_manifest(tmp_path / "m.json"))
    r = reg.resolve(template="summarize")
    ev = r.record(input_tokens=1200, output_tokens=300, latency_ms=250, sink=sink)
    [span] = spans.get_finished_spans()
    assert span.name == "chat gpt-4o-2024-08-06"
    assert span.kind is SpanKind.CLIENT
    assert span.end_time - span.start_time == 250_000_000  # latency_ms before the event
    a = dict(span.attributes or {})
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.system"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-2024-08-06"
    assert a["gen_ai.usage.input_tokens"] == 1200
    assert a["gen_ai.usage.output_tokens"] == 300
    assert a["regctl.model"] == "openai/gpt-4o" and a["regctl.template"] == "summarize"
    assert ev.cost == Decimal("0.006") and a["regctl.cost_usd"] == str(ev.cost)
    assert a["regctl.manifest.digest"] == reg.digest and a["regctl.environment"] == "prod"
    points = _points(reader)
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points["gen_ai.client.token.usage"]}
    assert tokens == {"input": 1200, "output": 300}
    [duration] = points["gen_ai.client.operation.duration"]
    assert duration.sum == pytest.approx(0.25)
    assert duration.attributes["gen_ai.request.model"] == "gpt-4o-2024-08-06"
    [cost] = points["regctl.usage.cost"]
    assert cost.value == pytest.approx(float(ev.cost or 0))


def test_failed_call_is_an_error_span(
    tmp_path: Path, otel: tuple[OTelSink, InMemorySpanExporter, InMemoryMetricReader]
) -> None:
    sink, spans, _ = otel
    reg = Registry.load(write_manifest(tmp_path / "m.json"))
    reg.resolve("embedding").record(input_tokens=10, ok=False, sink=sink)
    [span] = spans.get_finished_spans()
    assert span.name == "embeddings text-embedding-3-small"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "_OTHER"
