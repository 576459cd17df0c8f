"""Name every arXiv category topic from the full category table: topics
imported before the table covered a code were named by the raw code
(``physics.hist-ph``)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from bzpeer.catalog.arxiv_categories import category_name


def rename(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    topic = apps.get_model("catalog", "Topic")
    for row in topic.objects.filter(scheme="arxiv").only("id", "external_id", "name"):
        name = category_name(row.external_id.removeprefix("arxiv:"))
        if row.name != name:
            topic.objects.filter(pk=row.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_mention_role")]
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
