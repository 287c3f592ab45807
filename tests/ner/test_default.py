"""The default model shipped in the package: loaded once per process, or a clear error where none is shipped."""

from __future__ import annotations

import pytest

from doclinks.paths import CONFIG_FILE


def test_default_model_is_cached_or_explains_itself():
    import doclinks
    from doclinks.ner import default

    if not (default.DEFAULT_MODEL_DIR / CONFIG_FILE).is_file():
        with pytest.raises(default.NoDefaultModelError, match="ships no default NER model yet"):
            doclinks.default_model()
    else:
        assert doclinks.default_model() is doclinks.default_model()
