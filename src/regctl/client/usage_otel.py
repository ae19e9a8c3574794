"""The OpenTelemetry usage sink, following the GenAI semantic conventions.

Each event becomes a CLIENT span named ``"{gen_ai.operation.name} {gen_ai.request.model}"``
that starts ``latency_ms`` before the event and ends at it, and two metric records:
``gen_ai.client.token.usage`` (histogram, ``{token}``, one point per
``gen_ai.token.type`` ``input``/``output``) and ``gen_ai.client.operation.duration``
(histogram, seconds; only when ``latency_ms`` is known). The cost goes to the counter
``regctl.usage.cost`` (USD). Attributes:

- ``gen_ai.operation.name`` (``chat``, ``text_completion``, ``embeddings``, or the
  capability), ``gen_ai.system`` and ``gen_ai.provider.name`` (from the provider's API
  protocol), ``gen_ai.request.model`` (the upstream model id),
  ``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``, ``error.type`` for a
  failed call;
- ``regctl.provider``, ``regctl.model``, ``regctl.capability``, ``regctl.environment``,
  ``regctl.template``, ``regctl.cost_usd`` (decimal string, exact),
  ``regctl.usage.cached_input_tokens``, ``regctl.manifest.digest``,
  ``regctl.pipeline.source.commit``.

``opentelemetry-api`` is imported here only, so an app that does not configure this
sink never loads it. Without an SDK configured, the API's no-op providers drop
everything, as OpenTelemetry intends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regctl.client.usage_event import UsageEvent

#: regctl capability -> ``gen_ai.operation.name``.
OPERATION = {"chat": "chat", "completion": "text_completion", "embedding": "embeddings"}
#: regctl api -> ``gen_ai.system`` well-known value.
SYSTEM = {
    "openai": "openai",
    "openai-compatible": "openai",
    "azure-openai": "az.ai.openai",
    "anthropic": "anthropic",
    "gemini": "gcp.gemini",
    "bedrock": "aws.bedrock",
}


class OTelSink:
    """Emit usage events as GenAI spans and metrics (see the module docstring)."""

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        try:
            from opentelemetry import metrics, trace
        except ImportError as exc:  # pragma: no cover - depends on the installation
            from regctl.client.usage_event import UsageError

            raise UsageError(
                "the otel usage sink needs opentelemetry-api: pip install opentelemetry-api"
            ) from exc
        self._trace = trace
        self._tracer = trace.get_tracer("regctl.client", tracer_provider=tracer_provider)
        meter = metrics.get_meter("regctl.client", meter_provider=meter_provider)
        self._tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}", description="Tokens used per call"
        )
        self._duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s", description="Call duration"
        )
        self._cost = meter.create_counter(
            "regctl.usage.cost", unit="USD", description="Cost from the manifest prices"
        )

    def emit(self, event: UsageEvent) -> None:
        """Record one event as a span and metric points."""
        import calendar
        import time

        op = OPERATION.get(event.capability, event.capability)
        system = SYSTEM.get(event.api, event.api)
        common: dict[str, Any] = {
            "gen_ai.operation.name": op,
            "gen_ai.system": system,
            "gen_ai.provider.name": system,
            "gen_ai.request.model": event.upstream_id,
        }
        if not event.ok:
            common["error.type"] = "_OTHER"
        attrs = dict(common)
        attrs.update(
            {
                "gen_ai.usage.input_tokens": event.input_tokens,
                "gen_ai.usage.output_tokens": event.output_tokens,
                "regctl.usage.cached_input_tokens": event.cached_input_tokens,
                "regctl.provider": event.provider,
                "regctl.model": event.model,
                "regctl.capability": event.capability,
                "regctl.manifest.digest": event.digest,
            }
        )
        for key, value in (
            ("regctl.environment", event.environment),
            ("regctl.template", event.template),
            ("regctl.pipeline.source.commit", event.commit),
            ("regctl.cost_usd", None if event.cost is None else str(event.cost)),
        ):
            if value is not None:
                attrs[key] = value
        whole, _, frac = event.ts.rstrip("Z").partition(".")
        end_ns = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 10**9
        end_ns += int(frac or 0) * 10**6
        start_ns = end_ns - int((event.latency_ms or 0) * 1_000_000)
        span = self._tracer.start_span(
            f"{op} {event.upstream_id}",
            kind=self._trace.SpanKind.CLIENT,
            attributes=attrs,
            start_time=start_ns,
        )
        if not event.ok:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))
        span.end(end_time=end_ns)
        self._tokens.record(event.input_tokens, {**common, "gen_ai.token.type": "input"})
        self._tokens.record(event.output_tokens, {**common, "gen_ai.token.type": "output"})
        if event.latency_ms is not None:
            self._duration.record(event.latency_ms / 1000.0, common)
        if event.cost is not None:
            self._cost.add(float(event.cost), {**common, "regctl.model": event.model})

    def flush(self) -> None:
        """Nothing buffered here; the SDK's processors and readers export."""

    def close(self) -> None:
        """Nothing to release (the SDK's providers are the app's to shut down)."""


def from_spec(arg: str) -> OTelSink:
    """The ``regctl.usage_sinks`` entry point: ``otel`` (global tracer/meter providers)."""
    return OTelSink()
