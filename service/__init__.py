"""The HTTP layer: FastAPI routers over the job store and the queue. Never imports TensorFlow."""
