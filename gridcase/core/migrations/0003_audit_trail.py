# The audit trail (AuditEntry) and the heads of the hash chains; AuditEntry is append-only.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from gridcase.core import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_initial'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=60, unique=True)),
                ('seq', models.PositiveBigIntegerField(default=0)),
                ('hash', models.CharField(max_length=64)),
            ],
            options={
                'verbose_name': '哈希链头',
                'verbose_name_plural': '哈希链头',
            },
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(editable=False, verbose_name='链序号')),
                ('prev_hash', models.CharField(editable=False, max_length=64, verbose_name='前一条哈希')),
                ('hash', models.CharField(editable=False, max_length=64, verbose_name='哈希')),
                ('actor_label', models.CharField(blank=True, max_length=150, verbose_name='操作人姓名')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('action', models.CharField(max_length=40, verbose_name='操作')),
                ('object_type', models.CharField(max_length=100, verbose_name='对象类型')),
                ('object_id', models.CharField(blank=True, max_length=64, verbose_name='对象编号')),
                ('object_label', models.CharField(blank=True, max_length=200, verbose_name='对象')),
                ('before', models.JSONField(blank=True, null=True, verbose_name='变更前')),
                ('after', models.JSONField(blank=True, null=True, verbose_name='变更后')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('town', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.town', verbose_name='镇')),
            ],
            options={
                'verbose_name': '审计记录',
                'verbose_name_plural': '审计记录',
                'ordering': ['-seq'],
                'indexes': [models.Index(fields=['town', '-seq'], name='core_audite_town_id_29cd4e_idx'), models.Index(fields=['actor', '-seq'], name='core_audite_actor_i_7ee3fc_idx')],
                'constraints': [models.UniqueConstraint(fields=('seq',), name='audit_chain_seq_unique')],
            },
        ),
        append_only.migration_operation('core_auditentry'),
    ]
