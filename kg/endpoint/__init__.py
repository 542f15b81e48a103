"""`kg serve`'s HTTP front over Oxigraph servers: limits that hold, SERVICE refused, canned-query pages."""

from kg.endpoint.app import Endpoint, EndpointHandle, Limits, start_endpoint
from kg.endpoint.run import serve

__all__ = ["Endpoint", "EndpointHandle", "Limits", "serve", "start_endpoint"]
