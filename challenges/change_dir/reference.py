import os
from contextlib import contextmanager


@contextmanager
def change_dir(path):
    """Make `path` the working directory inside the `with` block; restore the original on exit."""
    previous = os.getcwd()
    os.chdir(path)  # raises FileNotFoundError (cwd unchanged) if `path` does not exist
    try:
        yield
    finally:
        os.chdir(previous)
