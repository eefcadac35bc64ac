"""Command groups the ``tocsin`` command line adds with ``main.add_command``."""
