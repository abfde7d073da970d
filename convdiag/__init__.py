"""convdiag: the application shell around the engine — settings, job store, CLI, client."""

# Where the CLI, the client and the Keras callback look for the service unless told.
DEFAULT_URL = "http://127.0.0.1:8000"
