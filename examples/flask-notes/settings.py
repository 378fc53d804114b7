"""Runtime configuration for the team notes service.

Values here are the defaults used by ``python app.py`` on a developer
machine.  The gunicorn entry point calls :func:`load_production` instead.
"""
import os

DATABASE_PATH = os.environ.get("NOTES_DB", "notes.db")
EXPORT_DIR = os.environ.get("NOTES_EXPORT_DIR", "exports")
IMPORT_DIR = os.environ.get("NOTES_IMPORT_DIR", "imports")

SECRET_KEY = "9f3b1c6e2a7d48f0b5c91e3a7d6f2048c1e9b3a5d7f04c2e"

SESSION_MAX_AGE = 8 * 60 * 60
RESET_TOKEN_LENGTH = 32
MAX_UPLOAD_BYTES = 16 * 1024 * 1024

WEBHOOK_SECRET = os.environ.get("NOTES_WEBHOOK_SECRET", "")
WEBHOOK_TIMEOUT = 5
ANNOUNCEMENTS_URL = "https://status.internal.example.com/notes/banner.txt"


def load_production():
    """Settings for the deployed service; every secret comes from the environment."""
    return {
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "WEBHOOK_SECRET": os.environ["NOTES_WEBHOOK_SECRET"],
    }
