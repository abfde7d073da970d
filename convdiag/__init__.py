"""convdiag: the application shell around the engine — settings, job store, CLI, client."""
