"""Extraction phases: one module per phase, each with ``run(ctx)``; kg.extract.pipeline lists them in order."""
