"""Claim and ClaimEvent move to the claims app (claims 0002), keeping their
tables: the state changes, the database does not."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('trust', '0003_claim_workflow'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='claimevent',
                    name='claim',
                ),
                migrations.RemoveField(
                    model_name='claimevent',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Claim',
                ),
                migrations.DeleteModel(
                    name='ClaimEvent',
                ),
            ],
            database_operations=[],
        ),
    ]
