#!/usr/bin/env python
"""Peak memory and time to clean the largest uploads we accept.

    .venv/bin/python bench/bench_uploads.py

Each case runs in its own process (peak RSS is per process): an image just
under the pixel cap (core.uploads.DEFAULT_MAX_PIXELS), as PNG with alpha and
as JPEG, is decoded, scaled down to the size cap and re-encoded by
core.uploads.clean_image. Prints the input size, the growth of peak RSS over
a process that only built the input, and the time.
"""

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {"PNG, RGBA, 7000 x 7000": "png", "JPEG, RGB, 7000 x 7000": "jpg"}


def measure(kind):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from core.uploads import clean_image

    mode, image_format = ("RGBA", "PNG") if kind == "png" else ("RGB", "JPEG")
    buffer = io.BytesIO()
    Image.new(mode, (7000, 7000), (10, 20, 30, 255)[: len(mode)]).save(
        buffer, image_format
    )
    data = buffer.getvalue()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    clean_image(SimpleUploadedFile(f"upload.{kind}", data))
    return {
        "input_kb": len(data) // 1024,
        "peak_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        // 1024,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main():
    print(f"{'case':28} {'input KB':>9} {'peak growth MB':>15} {'seconds':>8}")
    for label, kind in CASES.items():
        output = subprocess.run(
            [sys.executable, __file__, kind], capture_output=True, text=True, check=True
        ).stdout
        row = json.loads(output)
        print(
            f"{label:28} {row['input_kb']:>9} {row['peak_growth_mb']:>15} "
            f"{row['seconds']:>8}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
    else:
        main()
