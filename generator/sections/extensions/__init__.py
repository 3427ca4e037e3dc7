"""The ``extensions`` spec part: where the user extensions live (the flow step that renders
them is :mod:`generator.extensions`)."""
