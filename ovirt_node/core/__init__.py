"""The engine core: roots, running programs, Augeas, the defaults file, keys and sections, the
engine, transactions and their steps."""
