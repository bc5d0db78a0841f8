"""Who is acting and from where, for audit entries written deep inside services."""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestMeta] = ContextVar("zg_request_meta", default=RequestMeta())


def current_meta() -> RequestMeta:
    return _current.get()


def set_meta(meta: RequestMeta):
    return _current.set(meta)


def reset_meta(token) -> None:
    _current.reset(token)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, unless it is a configured trusted proxy: then the nearest untrusted X-Forwarded-For hop."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    trusted = set(settings.TRUSTED_PROXIES)
    if remote in trusted:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                # A proxy may pass on junk such as "unknown": then we know no address.
                return _valid(hop)
    return remote


def _valid(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
