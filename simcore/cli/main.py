"""The ``simcore`` command: a thin edge over the Python API.

Every user error becomes one line on stderr and exit status 2 (see :mod:`simcore.errors`).
"""

from __future__ import annotations

import os
import sys

import click

from simcore import __version__
from simcore.errors import InputError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"simcore: error: {exc}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("simcore: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as exc:  # a bug, not bad input: say so in one line
            if os.environ.get("SIMCORE_DEBUG"):
                raise
            msg = " ".join(str(exc).split())
            click.echo(
                f"simcore: internal error: {type(exc).__name__}: {msg} "
                "(please report it; set SIMCORE_DEBUG=1 for a traceback)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simcore")
def cli() -> None:
    """simcore: exact ranked-election counts and Monte Carlo election simulation."""


def _register() -> None:
    from simcore.cli import bench_cmd, count_cmd, rules_cmd, scenario_cmds

    cli.add_command(count_cmd.count)
    cli.add_command(rules_cmd.rules)
    cli.add_command(scenario_cmds.validate)
    cli.add_command(scenario_cmds.run)
    cli.add_command(bench_cmd.bench)


_register()


def main() -> None:
    cli(prog_name="simcore")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
