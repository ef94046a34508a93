"""Settings every test layer shares. Prefect reads its settings at import, so they go first."""

import os
import tempfile

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="temuship-prefect-home-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("TEMUSHIP_HOME", tempfile.mkdtemp(prefix="temuship-home-"))
os.environ.setdefault("TEMUSHIP_SECRET_KEY", "test-secret-key-not-for-production")
