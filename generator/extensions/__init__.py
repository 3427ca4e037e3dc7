"""User extensions: Kubernetes objects and patches a team adds to the region overlays
without changing mrgen (``docs/extensions.md`` is the user's guide).

- :mod:`.source`: what the CLI hands over (the folder's files as text) and the file names;
- :mod:`.loader`: the edge that reads the folder (the CLI calls it; nothing else reads);
- :mod:`.step`: the pure flow step :func:`generator.render.render` runs after the sections;
- :mod:`.documents`, :mod:`.targets`, :mod:`.problems`: its parts.
"""
