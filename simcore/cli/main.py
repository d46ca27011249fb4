"""The ``simcore`` command: a thin edge over the Python API.

Every user error, a mistake on the command line included, becomes one line on stderr and exit
status 2 (see :mod:`simcore.errors`); so does a file that cannot be written (disk full,
read-only folder).  Ctrl-C and SIGTERM stop a command the same way with one line and exit
status 130 or 143 (128 + the signal's number); a run's checkpoint is kept and the line says
how to resume it.
"""

from __future__ import annotations

import os
import signal
import sys

import click

from simcore import __version__
from simcore.cli.progress import end_line
from simcore.errors import InputError

# (Click 8.2 and later say "no arguments, here is the help" with a UsageError of its own)
_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _usage_error(exc: click.UsageError) -> click.exceptions.Exit:
    """Say a command-line mistake in one line (Click's own message takes three)."""
    where = exc.ctx.command_path if exc.ctx is not None else "simcore"
    msg = " ".join(exc.format_message().split())
    click.echo(f"simcore: error: {msg} (see '{where} --help')", err=True)
    return click.exceptions.Exit(2)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's ``KeyboardInterrupt``, so that the same
    clean-up runs (a run's staging folder is removed)."""


def _on_sigterm(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated()


def _hint(exc: BaseException) -> str:
    """What a command attached to an exception about what to do next (e.g. how to resume)."""
    hint = getattr(exc, "hint", None)
    return f"; {hint}" if hint else ""


class _Group(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _NO_ARGS:  # plain `simcore`: Click prints the help
            raise
        except click.UsageError as exc:  # (the group's own options)
            raise _usage_error(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            end_line()
            click.echo(f"simcore: error: {exc}", err=True)
            ctx.exit(2)
        except _NO_ARGS:
            raise
        except click.UsageError as exc:  # a command's arguments or options
            raise _usage_error(exc) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Terminated as exc:
            end_line()
            click.echo(f"simcore: terminated (SIGTERM){_hint(exc)}", err=True)
            ctx.exit(128 + signal.SIGTERM)
        except KeyboardInterrupt as exc:
            end_line()
            click.echo(f"simcore: interrupted{_hint(exc)}", err=True)
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
    from simcore.cli import (
        bench_cmd,
        count_cmd,
        fit_cmd,
        optimize_cmd,
        report_cmd,
        rules_cmd,
        scenario_cmds,
        sweep_cmd,
    )

    cli.add_command(count_cmd.count)
    cli.add_command(rules_cmd.rules)
    cli.add_command(scenario_cmds.validate)
    cli.add_command(scenario_cmds.run)
    cli.add_command(scenario_cmds.check_sampling)
    cli.add_command(sweep_cmd.sweep)
    cli.add_command(optimize_cmd.optimize)
    cli.add_command(report_cmd.report)
    cli.add_command(bench_cmd.bench)
    cli.add_command(fit_cmd.check_fit)
    cli.add_command(fit_cmd.fit)


_register()


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    cli(prog_name="simcore")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
