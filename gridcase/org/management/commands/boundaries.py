"""`gridcase boundaries --town NAME FILE [--crs wgs84|gcj02|bd09|cgcs2000] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridcase.core.coords import System
from gridcase.core.errors import ServiceError
from gridcase.org.boundary_files import MAX_BYTES, BoundaryFileError, read_geojson, read_kml
from gridcase.org.boundary_services import import_boundaries

from ._town import resolve_town


class Command(BaseCommand):
    help = (
        "从 GeoJSON 或 KML 文件导入行政村与网格的边界;任一边界有误则全部不导入。"
        " GeoJSON: 要素属性 village/行政村 与 grid/网格 (或 name: 村 或 村·网格);"
        " KML: 地标名称 村 或 村·网格。"
        " Import village and grid boundaries; nothing is written unless every one is right."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="边界文件 (.geojson / .json / .kml)")
        parser.add_argument("--town", help="镇名;只有一个镇时可省略")
        parser.add_argument(
            "--crs",
            choices=[s.value for s in System],
            default=System.WGS84.value,
            help="文件坐标系,默认 wgs84 (CGCS2000 视同 WGS-84;gcj02、bd09 会换算为 WGS-84)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告,不写入任何数据 (change nothing)"
        )

    def handle(self, *args, file, town, crs, dry_run, **options):
        found = resolve_town(town, required=True)
        path = Path(file)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise CommandError(f"文件“{file}”过大(超过 {MAX_BYTES // 1024 // 1024} MB)")
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"找不到文件“{file}”") from None
        except OSError as exc:
            raise CommandError(f"无法读取“{file}”: {exc}") from None
        try:
            if path.suffix.lower() == ".kml":
                features, problems = read_kml(data, crs)
            elif path.suffix.lower() in (".geojson", ".json"):
                features, problems = read_geojson(data, crs), []
            else:
                raise CommandError("文件应为 .geojson、.json 或 .kml")
            changed = import_boundaries(
                by=None, town=found, features=features, problems=problems, dry_run=dry_run
            )
        except BoundaryFileError as exc:
            raise CommandError(f"{file}: {exc}", returncode=1) from None
        except ServiceError as exc:
            messages = exc.fields.get("boundary") or [exc.message]
            self.stderr.write("\n".join(messages))
            raise CommandError(
                f"未导入: {len(messages)} 处问题 (nothing imported)", returncode=1
            ) from None
        if dry_run:
            self.stdout.write(f"检查通过: 将更新 {changed} 个边界 (dry run: nothing written)")
        else:
            self.stdout.write(f"已导入: 更新了 {changed} 个边界")
