"""平安通 over 3G: 50 queued cases with 3 photos each, sent by the terminal in Chromium with
Chrome's 3G network profile applied through the DevTools protocol, against gunicorn.

A database of its own (SQLite in a temporary data directory, or `gridcase_bench_field_3g` on
the PostgreSQL server of DATABASE_URL), one town with one officer; the static files collected and
the site served by gunicorn on 127.0.0.1 as `gridcase serve` runs it (2 workers × 4 threads).
The officer signs in on /field/ in Debian's Chromium with Playwright's "Pixel 5" profile; with
the network off, the terminal's own modules (db.js, photos.js) queue 50 cases with 3 photos
each, every photo a camera-sized JPEG (4000×3000) made small on the phone exactly as the entry
form does it. Then the network profile is applied and switched on, and the clock runs from
the `online` event until every case shows 已发送 (sent) with its number. Afterwards the
database is checked: 50 cases submitted, 150 photos, none twice.

    .venv/bin/python bench/field_3g.py                        # "3G", low-detail photos
    .venv/bin/python bench/field_3g.py --profile slow3g --detail high

Profiles (the numbers of Chrome DevTools' presets, `front_end/core/sdk/NetworkManager.ts`):
  3g      Chrome's "3G" (formerly "Fast 3G"): 562.5 ms latency, 180,000 B/s down (1.44 Mbit/s),
          84,375 B/s up (675 kbit/s)
  slow3g  Chrome's "Slow 3G": 2,000 ms latency, 50,000 B/s down and up (400 kbit/s)

Photos: `--detail low` is a scene of flat colours and a little grain (a wall, a document, a
road: 40–90 KB after the terminal's JPEG), `--detail high` a scene full of fine detail (foliage,
gravel: 300–500 KB). Upload bandwidth, not latency, decides the time: 150 photos of 60 KB are
9 MB (~107 s at 84 KB/s), of 400 KB 60 MB (~12 min).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import fresh_database  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "field-bench-pw"
PROFILES = {
    "3g": {"latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375},
    "slow3g": {"latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
}

# Runs in the page: the terminal's own modules queue the cases (as the entry form does).
QUEUE = r"""async ({ cases, photos, seeds, owner, detail }) => {
  const store = await import("/static/field/db.js");
  const { shrink } = await import("/static/field/photos.js");
  const bases = [];
  for (const b64 of seeds) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    bases.push(await createImageBitmap(new Blob([bytes], { type: "image/jpeg" })));
  }
  const canvas = document.createElement("canvas");
  canvas.width = 4000;
  canvas.height = 3000;
  const pen = canvas.getContext("2d");
  let bytes = 0;
  for (let i = 0; i < cases; i += 1) {
    const id = crypto.randomUUID();
    await store.putCase({
      client_id: id, created_at: new Date(Date.now() + i).toISOString(), owner,
      number: null, version: null, state: "queued",
      fields: {
        category: "other", major: false, title: `三G事件${i}`, occurred_at: "2026-12-01T09:30",
        location: `东村${i}组`, persons: "张三、李四", cause: "道路积水",
        course: "群众反映,现场查看",
        parties: [],
      },
    });
    for (let j = 0; j < photos; j += 1) {
      pen.drawImage(bases[(i * photos + j) % bases.length], 0, 0, 4000, 3000);
      pen.fillStyle = `hsl(${(i * 37 + j * 91) % 360} 60% 50%)`;
      pen.fillRect(200 + j * 300, 200 + i * 40, 600, 400); // each photo differs (its own SHA-256)
      const camera = await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.92));
      const photo = await shrink(new File([camera], `IMG_${i}_${j}.jpg`, { type: "image/jpeg" }));
      bytes += photo.size;
      await store.addPhoto(id, { ...photo, added_at: new Date().toISOString() });
    }
  }
  return bytes;
}"""


def scene(seed: int, detail: str):
    """A 4000×3000 scene: flat shapes with light grain (low) or dense fine detail (high)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    size = (4000, 3000)
    picture = Image.new("RGB", size, (rng.randrange(80, 200),) * 3)
    pen = ImageDraw.Draw(picture)
    for _ in range(25 if detail == "low" else 400):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(50, 1500), rng.randrange(50, 1500)
        colour = tuple(rng.randrange(256) for _ in range(3))
        pen.rectangle((x, y, x + w, y + h), fill=colour)
    if detail == "low":
        picture = picture.filter(ImageFilter.GaussianBlur(6))
        grain = Image.effect_noise(size, 12).convert("RGB")
        picture = Image.blend(picture, grain, 0.08)
    else:
        grain = Image.effect_noise(size, 80).convert("RGB")
        picture = Image.blend(picture, grain, 0.3)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return base64.b64encode(out.getvalue()).decode()


def build_officer():
    from gridcase.org.models import Grid, Role, Town, Unit, User, Village

    town = Town.objects.create(name="长塘镇", code="ct")
    village = Village.objects.create(town=town, name="东村")
    grid = Grid.objects.create(village=village, name="第一网格")
    Unit.objects.create(town=town, kind="village_station", name="东村站", village=village)
    Unit.objects.create(town=town, kind="town_center", name="长塘镇中心")
    officer = User.objects.create_user(
        username="officer", password=PASSWORD, town=town, display_name="网格员"
    )
    Role.objects.create(user=officer, town=town, kind="officer", village=village, grid=grid)
    return officer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise SystemExit(f"timed out: {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="3g")
    parser.add_argument("--detail", choices=["low", "high"], default="low")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    with fresh_database("gridcase_bench_field_3g") as engine:
        from django.core.management import call_command
        from playwright.sync_api import sync_playwright

        from gridcase.cases.models import Attachment, Case
        from gridcase.demo.management.commands.serve import gunicorn_command

        call_command("collectstatic", interactive=False, verbosity=0)
        officer = build_officer()
        port = free_port()
        addr = f"127.0.0.1:{port}"
        web = subprocess.Popen(
            gunicorn_command(addr=addr, workers=2, threads=4, dev=False),
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://{addr}"
        try:
            wait_for(lambda: _up(port), 60, "gunicorn")
            seeds = [scene(seed, args.detail) for seed in range(4)]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                device = dict(p.devices["Pixel 5"])
                device.pop("default_browser_type", None)
                context = browser.new_context(**device, locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                page.set_default_timeout(60000)
                page.goto(f"{base}/field/")
                page.wait_for_selector("body[data-ready=true]")
                page.fill("#si-username", officer.username)
                page.fill("#si-password", PASSWORD)
                page.click("#sign-in-form button[type=submit]")
                page.wait_for_selector("#sign-in", state="hidden")

                context.set_offline(True)
                started = time.perf_counter()
                photo_bytes = page.evaluate(
                    QUEUE,
                    {
                        "cases": args.cases,
                        "photos": args.photos,
                        "seeds": seeds,
                        "owner": officer.username,
                        "detail": args.detail,
                    },
                )
                prepared = time.perf_counter() - started
                count = args.cases * args.photos
                print(
                    f"{engine}: queued {args.cases} cases, {count} photos "
                    f"({photo_bytes / 1024 / 1024:.1f} MiB, {photo_bytes / count / 1024:.0f} KiB "
                    f"a photo after the terminal's resizing; {prepared:.0f} s to make them)",
                    flush=True,
                )
                page.reload()  # the terminal starts with its queue, as after a restart
                page.wait_for_selector("body[data-ready=true]")

                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                profile = PROFILES[args.profile]
                cdp.send("Network.emulateNetworkConditions", {"offline": False, **profile})
                start = time.perf_counter()
                context.set_offline(False)
                # set_offline(False) lifts Playwright's own emulation: the profile again, so
                # that it holds whichever came last.
                cdp.send("Network.emulateNetworkConditions", {"offline": False, **profile})

                def sent() -> bool:
                    return page.locator("#outbox-list li[data-state=sent]").count() == args.cases

                wait_for(sent, args.timeout, "every case sent")
                elapsed = time.perf_counter() - start
                numbers = page.locator("#outbox-list .item-number").all_inner_texts()
                browser.close()

            cases = Case.objects.filter(officer=officer)
            attachments = Attachment.objects.filter(case__officer=officer)
            assert cases.count() == args.cases, cases.count()
            assert set(cases.values_list("state", flat=True)) == {"pending"}
            assert attachments.count() == count, attachments.count()
            assert sorted(numbers) == sorted(cases.values_list("number", flat=True))
            for case in cases.prefetch_related("attachments"):
                assert case.attachments.count() == args.photos, case.number
            print(
                f"{args.profile} {PROFILES[args.profile]}: {args.cases} cases with "
                f"{args.photos} photos each sent in {elapsed:.1f} s "
                f"({photo_bytes * 8 / elapsed / 1000:.0f} kbit/s of photos); "
                f"{cases.count()} cases, {attachments.count()} photos on the server, none twice",
                flush=True,
            )
        finally:
            web.terminate()
            web.wait(20)
    return 0


def _up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
