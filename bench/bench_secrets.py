"""What a key from a secret store costs: a cached `api_key()` vs an `env:` one, and a read.

Starts a real OpenBao (``bao server -dev``) and ``moto_server`` on loopback, then times
in this process, per call (median of many):

- ``api_key()`` with ``env:`` (the baseline: a dict lookup and a strip);
- ``api_key()`` with ``vault:`` and ``aws-sm:`` served from the cache (the common call);
- a read from the store (``refresh=True``): regctl's request vs the reference client
  doing the same read (``urllib`` GET for Vault; boto3's ``get_secret_value`` for AWS,
  client built once);
- 16 threads asking at once for a cold reference: requests that reach the store.

Targets: a cache hit within 3x of an ``env:`` read (both well under the cost of any
provider call); a store read no slower than the reference client.

    python bench/bench_secrets.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.secret_stores import ROOT_TOKEN, Proxy, moto, openbao  # noqa: E402

from regctl.client import Provider  # noqa: E402
from regctl.client.secrets import clear_cache  # noqa: E402


def per_call(fn: Callable[[], object], n: int) -> float:
    """Median seconds per call over 7 batches of ``n`` calls."""
    fn()
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - started) / n)
    return statistics.median(runs)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} us"


def provider(ref: str) -> Provider:
    return Provider({"id": "p", "credentials": [ref]})


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-secrets-"))
    os.environ["RC_BENCH_KEY"] = "sk-bench-env"
    with openbao(work / "bao") as bao, moto(work / "moto") as aws:
        os.environ.update(VAULT_ADDR=bao.addr, VAULT_TOKEN=ROOT_TOKEN)
        bao.put("secret/bench", {"api_key": "sk-bench-vault"})
        os.environ.update(
            AWS_ENDPOINT_URL_SECRETS_MANAGER=aws.endpoint,
            AWS_REGION="us-east-1",
            AWS_CONFIG_FILE=str(work / "none"),
            AWS_SHARED_CREDENTIALS_FILE=str(work / "none"),
            AWS_EC2_METADATA_DISABLED="true",
            **aws.admin,
        )
        sm = aws.client("secretsmanager")
        sm.create_secret(Name="bench", SecretString=json.dumps({"api_key": "sk-bench-aws"}))

        env_p, vault_p = provider("env:RC_BENCH_KEY"), provider("vault:secret/bench#api_key")
        aws_p = provider("aws-sm:bench#api_key")
        env_t = per_call(env_p.api_key, 20000)
        vault_hit = per_call(vault_p.api_key, 20000)
        aws_hit = per_call(aws_p.api_key, 20000)
        print(f"api_key() env:            {us(env_t)}")
        print(f"api_key() vault: cached   {us(vault_hit)}  ratio to env: {vault_hit / env_t:.2f}x")
        print(f"api_key() aws-sm: cached  {us(aws_hit)}  ratio to env: {aws_hit / env_t:.2f}x")

        vault_read = per_call(lambda: vault_p.api_key(refresh=True), 100)
        request = urllib.request.Request(
            f"{bao.addr}/v1/secret/data/bench", headers={"X-Vault-Token": ROOT_TOKEN}
        )

        def urllib_read() -> str:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return str(json.loads(resp.read())["data"]["data"]["api_key"])

        vault_ref = per_call(urllib_read, 100)
        print(
            f"vault: read (refresh=True) {us(vault_read)}, urllib GET {us(vault_ref)}:"
            f" {vault_read / vault_ref:.2f}x"
        )
        aws_read = per_call(lambda: aws_p.api_key(refresh=True), 50)
        boto_read = per_call(lambda: sm.get_secret_value(SecretId="bench")["SecretString"], 50)
        print(
            f"aws-sm: read (refresh=True) {us(aws_read)}, boto3 get_secret_value"
            f" {us(boto_read)}: {aws_read / boto_read:.2f}x"
        )

        proxy = Proxy(bao.port)
        os.environ["VAULT_ADDR"] = proxy.addr
        clear_cache()
        barrier = threading.Barrier(16)

        def cold(_: int) -> str:
            barrier.wait()
            return vault_p.api_key().get_secret_value()

        with ThreadPoolExecutor(16) as pool:
            assert set(pool.map(cold, range(16))) == {"sk-bench-vault"}
        print(f"16 threads, cold vault: reference: {proxy.connections} request(s) to the store")
        proxy.close()


if __name__ == "__main__":
    main()
