"""The `paperpath` command. Each command group lives in its own module and registers here."""

from __future__ import annotations

import typer

from paperpath.cli import (
    coach_cmds,
    export_cmds,
    feeds_cmds,
    guide_cmds,
    import_cmds,
    library_cmds,
    log_cmds,
    progress_cmds,
    quickstart_cmd,
    related_cmds,
    review_cmds,
    serve_cmd,
    sync_cmds,
)

app = typer.Typer(
    name="paperpath",
    help="Read ML research every week: find papers, choose, understand, remember.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

quickstart_cmd.register(app)
library_cmds.register(app)
import_cmds.register(app)
sync_cmds.register(app)
feeds_cmds.register(app)
guide_cmds.register(app)
related_cmds.register(app)
coach_cmds.register(app)
log_cmds.register(app)
progress_cmds.register(app)
review_cmds.register(app)
export_cmds.register(app)
serve_cmd.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
