"""Bundle probes: load an uploaded model and its data safely, audit them, and run short,
seeded training probes that confirm a cause and measure its fix. Imports Keras lazily:
only the `probes` worker (and `convdiag probe`) ever pays for TensorFlow."""
