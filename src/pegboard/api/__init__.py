"""The JSON API: FastAPI routers over the services, nothing else."""

from pegboard.api.app import create_app

__all__ = ["create_app"]
