"""The analyst's desk: ``tocsin serve``, a web application over the store (docs/desk.md).

Layered over ``tocsin.report``, ``tocsin.assess`` and ``tocsin.store``, like the commands:
the desk reads and writes the store through the same library functions as the CLI.
"""
