"""The app side of the ponyexpress contract.

Kept import-free on purpose: `python -m ponyexpress_django.check` runs as an
exec probe every few seconds and must not pay for importing Django or Celery.
"""

__version__ = "0.1.0"
