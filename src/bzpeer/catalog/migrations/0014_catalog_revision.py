from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_arxiv_topic_names")]

    operations = [
        migrations.CreateModel(
            name="CatalogRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
    ]
