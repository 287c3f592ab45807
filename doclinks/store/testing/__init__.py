"""What testing a store needs: the compliance suite (`compliance`), small real embedders and data
(`kit`), and a throwaway PostgreSQL server (`local_postgres`). Imported by tests only; the suite
needs pytest."""
