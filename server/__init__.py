"""The backend's HTTP layer: FastAPI app, authentication, settings. Transport only."""
