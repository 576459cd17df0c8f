from django.db import migrations, models


def create_index(apps, schema_editor):
    from bzpeer.search.backends import backend

    with schema_editor.connection.cursor() as cursor:
        backend(schema_editor.connection).create(cursor)


def drop_index(apps, schema_editor):
    from bzpeer.search.backends import backend

    with schema_editor.connection.cursor() as cursor:
        backend(schema_editor.connection).drop(cursor)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalog", "0010_work_newest")]

    operations = [
        migrations.CreateModel(
            name="SearchState",
            fields=[
                ("entity", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("synced_at", models.DateTimeField(null=True)),
                ("last_id", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("entity", models.CharField(max_length=16)),
                ("term", models.CharField(max_length=64)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("entity", "term"), name="search_term_once")
                ],
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
