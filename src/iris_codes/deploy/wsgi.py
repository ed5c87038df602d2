"""WSGI entry point for any server: ``gunicorn iris_codes.deploy.wsgi:app``."""

from ..web import create_app
from ..web.body import add_read_errors

try:  # under Gunicorn, a bad chunked body is its ParseException: a 400, not a 500
    from gunicorn.http.errors import ParseException
except ImportError:  # another server
    pass
else:
    add_read_errors(ParseException)

app = create_app()
