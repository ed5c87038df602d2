import os

# Settings read from the environment.
DEBUG = os.environ.get("APP_DEBUG") == "1"
PORT = int(os.environ.get("APP_PORT", "8000"))


def describe() -> str:
    """Summarise the active settings."""
    return f"debug={DEBUG} port={PORT}"


def is_production() -> bool:
    return not DEBUG and PORT == 80
