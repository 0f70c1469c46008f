"""The demo: a coherent set of Beijing units, people, achievements and market records, kept as data files
(data/*.toml) and written through the real services by `manage.py seed_demo`.

This app is the top layer: it may import every other app, and no other app imports it (bench/ scripts may).
"""
