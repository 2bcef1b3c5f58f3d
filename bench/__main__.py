import importlib
import pkgutil
import sys
from pathlib import Path


def available():
    here = Path(__file__).parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv):
    names = argv or available()
    failed = []
    for name in names:
        if name not in available():
            print(f"unknown benchmark {name!r}; available: {', '.join(available())}")
            return 2
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"=== bench {name} ===", flush=True)
        if module.main() != 0:
            failed.append(name)
    if failed:
        print("targets missed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
