"""Date formats per language (settings.FORMAT_MODULE_PATH): templates say |date:"DATE_FORMAT" or
|date:"DATETIME_FORMAT" and each language shows its one format. Machine-readable values stay ISO
(<time datetime="{{ value|date:'c' }}">)."""
