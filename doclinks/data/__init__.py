"""Data shipped with doclinks: `sample.txt`, the text `doclinks demo` ingests when the shared data is absent."""
