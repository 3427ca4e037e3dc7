"""The ``delivery`` section: Argo CD projects and applications that sync the rendered tree."""
