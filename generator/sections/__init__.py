"""One package per spec section; :mod:`generator.registry` lists them in order."""
