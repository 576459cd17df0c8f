"""Claim and ClaimEvent now belong to claims, on the tables trust created:
the state changes, the database does not."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_full_names'),
        ('claims', '0001_owner_corrections_privacy'),
        ('trust', '0004_claim_moves'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Claim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('needs_evidence', 'needs evidence'), ('verified', 'verified'), ('rejected', 'rejected'), ('withdrawn', 'withdrawn'), ('revoked', 'revoked')], default='pending', max_length=16)),
                        ('level', models.CharField(blank=True, max_length=2)),
                        ('evidence_url', models.URLField(blank=True, max_length=2000)),
                        ('note', models.TextField(blank=True, help_text="the claimant's plain-text note")),
                        ('reason', models.TextField(blank=True, help_text="the latest decision's reason, shown to the claimant")),
                        ('dispute', models.BooleanField(default=False)),
                        ('email', models.EmailField(blank=True, help_text='the address the claim was verified with', max_length=254)),
                        ('email_verified', models.BooleanField(default=False)),
                        ('orcid', models.CharField(blank=True, max_length=19)),
                        ('orcid_works_matched', models.IntegerField(default=0)),
                        ('institution_email', models.BooleanField(default=False)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='claims', to='catalog.author')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'trust_claim',
                    },
                ),
                migrations.CreateModel(
                    name='ClaimEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(help_text='claim, approve, reject, withdraw, ...', max_length=16)),
                        ('status', models.CharField(help_text="the claim's status after it", max_length=16)),
                        ('reason', models.TextField(blank=True)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='claims.claim')),
                    ],
                    options={
                        'db_table': 'trust_claimevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='claim',
                    index=models.Index(fields=['user', '-created_at'], name='trust_claim_user_id_a890dd_idx'),
                ),
                migrations.AddConstraint(
                    model_name='claim',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'verified')), fields=('author',), name='one_verified_claim_per_author'),
                ),
            ],
            database_operations=[],
        ),
    ]
