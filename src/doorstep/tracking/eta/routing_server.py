"""A routing server asked over HTTP through routingpy: one attempt, a timeout, plain errors.

routingpy's clients send the requests and read the answers; what they raise becomes a
`RoutingError` whose message says what went wrong, for the log of the fallback.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from routingpy import exceptions  # type: ignore[import-untyped]
from routingpy.client_default import Client  # type: ignore[import-untyped]

from doorstep.tracking.eta.base import (
    DEFAULT_STOP_OVERHEAD,
    DEFAULT_TIMEOUT_SECONDS,
    RoadProvider,
    RoutingError,
)

# routingpy warns "Server down. Retrying…" before it asks `_request` again, which here
# refuses at once: the warning would say the opposite of what happens.
warnings.filterwarnings(
    "ignore", message="Server down", category=UserWarning, module=r"routingpy\.client_default"
)


class OneAttemptClient(Client):  # type: ignore[misc]
    """routingpy's default client without its retries.

    routingpy sends a request again after an HTTP 503, having slept ½ to 1½ seconds, for
    as long as `retry_timeout` allows. An ETA cannot wait for that: the offline estimate
    now is worth more than a routed one seconds later.
    """

    def _request(  # noqa: PLR0917 (routingpy's own signature: it calls it positionally)
        self,
        url: str,
        get_params: Any = None,
        post_params: Any = None,
        first_request_time: Any = None,
        retry_counter: int = 0,
        dry_run: Any = None,
    ) -> Any:
        if retry_counter:
            raise exceptions.RouterServerError(503, "Service Unavailable (not asked again)")
        return super()._request(
            url, get_params or {}, post_params, first_request_time, retry_counter, dry_run
        )


def router_options(timeout: float) -> dict[str, Any]:
    """The keyword arguments every routingpy router here is built with."""
    return {
        "timeout": timeout,
        "retry_timeout": timeout,
        "retry_over_query_limit": False,
        "client": OneAttemptClient,
    }


def ask[T](call: Callable[[], T], *, where: str, timeout: float) -> T:
    """`call()`'s answer, or a `RoutingError` that says why there is none."""
    try:
        return call()
    except exceptions.RouterError as error:  # routingpy's API, server and rate-limit errors
        # OSRM and Valhalla explain a refusal in the body ("NoRoute", "No path…").
        detail = str(error.message or "")[:300]
        raise RoutingError(f"HTTP {error.status} from {where}: {detail}") from error
    except exceptions.Timeout as error:
        raise RoutingError(f"no answer from {where} within {timeout} s") from error
    except exceptions.JSONParseError as error:
        raise RoutingError(f"the answer from {where} is not JSON") from error
    except OSError as error:  # requests' connection errors are OSErrors
        raise RoutingError(f"cannot reach {where}: {error}") from error
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError) as error:  # reading it
        raise RoutingError(
            f"the answer from {where} is not a route ({type(error).__name__}: {error})"
        ) from error


class RoutingServerProvider(RoadProvider):
    """A routing server at `base_url`, through a routingpy router made by `make_router()`.

    Each thread gets its own router: a routingpy client keeps a `requests.Session`, which
    is not documented as safe to share between threads.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"A routing server URL starts with http:// or https://: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.stop_overhead = stop_overhead
        self._local = threading.local()

    def make_router(self) -> Any:
        raise NotImplementedError

    def router(self) -> Any:
        router = getattr(self._local, "router", None)
        if router is None:
            router = self._local.router = self.make_router()
        return router

    def ask[T](self, call: Callable[[Any], T]) -> T:
        """`call(router)`'s answer, or a `RoutingError` that says why there is none."""
        return ask(lambda: call(self.router()), where=self.base_url, timeout=self.timeout)
