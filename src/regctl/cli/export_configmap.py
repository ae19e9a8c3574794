"""`regctl export configmap`: the lock manifest as a Kubernetes ConfigMap.

:mod:`regctl.cli.interop` adds the command to its ``export`` group.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from regctl.cli.complete import env_option
from regctl.cli.options import epilog, output_option, registry_option


def _checked(what: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A click callback refusing a name Kubernetes would refuse, before any compile."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        from regctl.interop.configmap import name_problem, namespace_problem

        why = (namespace_problem if what == "namespace" else name_problem)(value)
        if why:
            raise click.BadParameter(why, ctx=ctx, param=param)
        return value

    return check


@click.command(
    name="configmap",
    epilog=epilog(
        [
            "regctl export configmap --env prod -o deploy/prod/configmap.yaml",
            "regctl export configmap --env prod --namespace apps | kubectl apply -f -",
        ],
        "export configmap",
    ),
)
@registry_option(positional=True)
@env_option("Environment to compile (default: the base registry).")
@output_option("Write the ConfigMap here (default: stdout).")
@click.option(
    "--name",
    default=None,
    callback=_checked("name"),
    help="ConfigMap name, a DNS-1123 subdomain (default: regctl-manifest-ENV).",
)
@click.option(
    "--namespace",
    default=None,
    callback=_checked("namespace"),
    help="Namespace, a DNS-1123 label: no dots, at most 63 characters "
    "(default: none in the document).",
)
def export_configmap_cmd(
    registry: Path, env: str | None, output: Path | None, name: str | None, namespace: str | None
) -> None:
    """Write a ConfigMap holding the manifest (gzip in binaryData when over ~1 MB).

    Mount it in a pod and point the client at the file: Registry.watch follows
    kubelet's atomic ..data swap when the ConfigMap changes.
    """
    from regctl.interop.configmap import configmap_yaml
    from regctl.interop.lockfile import load_manifest

    manifest = load_manifest(registry, env=env)
    text = configmap_yaml(manifest, name=name, namespace=namespace)
    if output is None:
        click.echo(text, nl=False)
        return
    from regctl.io.fsutil import atomic_write

    atomic_write(output, text.encode("utf-8"))
    click.echo(f"wrote {output} ({manifest['digest']})", err=True)
