"""Operations: what an operator watches. `health` answers `/livez` and `/healthz`, `metrics` serves
Prometheus at `/metrics` and counts what the app does, `tracing` sends scrubbed OpenTelemetry spans."""

from handlers.ops.health import router as health_router
from handlers.ops.metrics import Metrics
from handlers.ops.metrics import router as metrics_router

__all__ = ["Metrics", "health_router", "metrics_router"]
