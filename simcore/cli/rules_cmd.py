"""``simcore rules``: the counting rules and their options."""

from __future__ import annotations

import json

import click

from simcore.model.constraints import takes_minimums
from simcore.model.rules import RULES, limit_summary, max_total_votes, rule_decimals


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules(as_json):
    """List the counting rules, their sources and options."""
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": r.name,
                        "title": r.title,
                        "source": r.source,
                        "summary": r.summary,
                        "aliases": list(r.aliases),
                        "group_minimums": takes_minimums(r),
                        "limit": limit_summary(r),
                        "max_total_votes": max_total_votes(r),
                        "decimals": rule_decimals(r),
                        "options": [
                            {
                                "name": o.name,
                                "default": o.default,
                                "choices": list(o.choices),
                                "help": o.help,
                            }
                            for o in r.options
                        ],
                    }
                    for r in RULES.values()
                ],
                indent=2,
            )
        )
        return
    for r in RULES.values():
        alias = f" (also: {', '.join(r.aliases)})" if r.aliases else ""
        click.echo(f"{r.name}{alias}: {r.title}")
        click.echo(f"    {r.summary}")
        click.echo(f"    source: {r.source}")
        click.echo(f"    limit: {limit_summary(r)}")
        for o in r.options:
            click.echo(f"    -o {o.name}=...  {o.help} [default: {o.default}]")
        if takes_minimums(r):
            click.echo("    --minimum ATTR=VALUE:K  group minimum (see docs/rules.md)")
        click.echo()
    click.echo(
        "Limits: larger totals are refused, not miscounted; simulations also need the "
        "electorate (x voters per ballot) <= 2^53. Colleges: see docs/rules.md (Limits)."
    )
