"""Deployment adapters: Gunicorn runner, WSGI entry point, AWS Lambda handler."""
