"""The README's claims table is the catalog's: regenerated from a run of the catalog, it must equal the README's."""

import os

import pytest

from lossgeom.proofs import _catalog_table as table

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")
pytestmark = pytest.mark.skipif(not os.path.exists(README), reason="README.md is not beside the tests")


def test_readme_table_is_generated_from_the_catalog(catalog_reports):
    text = open(README, encoding="utf-8").read()
    want = table.catalog_table(catalog_reports)
    assert table.current_table(text) == want, (
        "README.md's catalog table is out of date: run python -m lossgeom.proofs._catalog_table README.md")


def test_every_claim_has_a_row(catalog_reports):
    text = table.current_table(open(README, encoding="utf-8").read())
    for cid, rep in catalog_reports.items():
        assert "| `%s` | %s |" % (cid, rep.outcome) in text


def test_table_follows_the_reports(catalog_reports):
    """A changed verdict changes the table (the comparison above can fail)."""
    cid = next(iter(catalog_reports))
    changed = dict(catalog_reports, **{cid: catalog_reports[cid].with_(outcome="inconclusive")})
    assert table.catalog_table(changed) != table.catalog_table(catalog_reports)
    assert "| `%s` | inconclusive |" % cid in table.catalog_table(changed)


def test_replace_table_keeps_the_rest():
    text = "before\n%s\nold\n%s\nafter" % (table.BEGIN, table.END)
    new = table.replace_table(text, table.BEGIN + "\nnew\n" + table.END)
    assert new == "before\n%s\nnew\n%s\nafter" % (table.BEGIN, table.END)
