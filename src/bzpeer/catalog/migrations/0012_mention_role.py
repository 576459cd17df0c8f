from django.db import migrations, models

# Added in place (ALTER TABLE ... ADD COLUMN with a constant default, which
# SQLite and PostgreSQL both do without rewriting rows): Django's own
# AddField rebuilds the table on SQLite, minutes on a catalog with millions
# of mentions.
ADD = (
    'ALTER TABLE "catalog_authorshipmention" '
    "ADD COLUMN \"role\" varchar(16) DEFAULT 'author' NOT NULL"
)
DROP = 'ALTER TABLE "catalog_authorshipmention" DROP COLUMN "role"'


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0011_work_year_type'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name='authorshipmention',
                    name='role',
                    field=models.CharField(db_default='author', default='author', max_length=16),
                ),
            ],
        ),
    ]
