"""`temuship serve`: one foreground process that runs the whole service (a Prefect server
unless PREFECT_API_URL names one, every deployment of prefect.yaml served by Prefect's runner,
the webhook receiver and the one-minute label check)."""
