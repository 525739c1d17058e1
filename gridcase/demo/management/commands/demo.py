from django.core.management.base import BaseCommand, CommandError

from gridcase.demo import town as demo


class Command(BaseCommand):
    help = "建立演示镇(长塘镇)及约六个月的事件,并打印演示账号;重复运行不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=182, help="生成多少天的事件(默认 182)")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")

    def handle(self, *args, days, seed, **options):
        if days < 1 or days > 730:
            raise CommandError("--days: 应为 1 到 730 之间")
        demo.build_demo(days=days, seed=seed, out=self.stdout.write)
        print_logins(self.stdout.write)


def print_logins(write) -> None:
    write("")
    write(f"演示账号(密码均为 {demo.PASSWORD}):")
    for username, what in demo.logins():
        write(f"  {username:<12} {what}")
