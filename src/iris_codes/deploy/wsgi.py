"""WSGI entry point for any server: ``gunicorn iris_codes.deploy.wsgi:app``."""

from ..web import create_app

app = create_app()
