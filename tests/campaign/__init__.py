"""The attack campaign of issue 20 at its scale (`make campaign`; not part of `make test`)."""
