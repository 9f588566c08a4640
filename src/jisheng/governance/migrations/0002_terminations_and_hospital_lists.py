# Terminations at 14 weeks or more and the hospital lists they come from.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import jisheng.core.fields
import jisheng.prepregnancy.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0003_clean_stored_text"),
        ("governance", "0001_initial"),
        ("prepregnancy", "0008_pregnancy_woman_and_community_required"),
        ("registry", "0007_person_initials_derived_and_filled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TerminationImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("institution", models.CharField(max_length=100, verbose_name="institution")),
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                ("digest", models.CharField(max_length=64)),
                ("row_count", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "imported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.orgunit",
                        verbose_name="imported for",
                    ),
                ),
            ],
            options={
                "verbose_name": "hospital termination list",
            },
        ),
        migrations.CreateModel(
            name="Termination",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "performed_on",
                    jisheng.prepregnancy.fields.EncryptedDateField(
                        blank=True, null=True, verbose_name="date of termination"
                    ),
                ),
                (
                    "weeks",
                    jisheng.core.fields.EncryptedTextField(
                        blank=True, null=True, verbose_name="weeks of pregnancy"
                    ),
                ),
                (
                    "medical_reason",
                    jisheng.core.fields.EncryptedTextField(
                        blank=True, null=True, verbose_name="medical reason"
                    ),
                ),
                (
                    "institution",
                    models.CharField(max_length=100, verbose_name="certifying institution"),
                ),
                (
                    "certificate",
                    models.CharField(max_length=50, verbose_name="certificate reference"),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("outcome", "Pregnancy outcome"), ("hospital", "Hospital list")],
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                (
                    "review",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not needed"),
                            ("pending", "Awaiting street review"),
                            ("reviewed", "Reviewed"),
                        ],
                        default="",
                        max_length=8,
                        verbose_name="review",
                    ),
                ),
                (
                    "review_note",
                    jisheng.core.fields.EncryptedTextField(
                        blank=True, null=True, verbose_name="review note"
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.orgunit",
                        verbose_name="community",
                    ),
                ),
                (
                    "pregnancy",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="prepregnancy.pregnancy",
                        verbose_name="pregnancy",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "woman",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.person",
                        verbose_name="woman",
                    ),
                ),
                (
                    "imported_in",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rows",
                        to="governance.terminationimport",
                    ),
                ),
            ],
            options={
                "verbose_name": "termination at 14 weeks or more",
                "verbose_name_plural": "terminations at 14 weeks or more",
            },
        ),
        migrations.AddConstraint(
            model_name="terminationimport",
            constraint=models.UniqueConstraint(
                fields=("unit", "digest"), name="governance_termination_import_once"
            ),
        ),
        migrations.AddIndex(
            model_name="termination",
            index=models.Index(
                condition=models.Q(("review", "pending")),
                fields=["review"],
                name="governance_termination_review",
            ),
        ),
        migrations.AddConstraint(
            model_name="termination",
            constraint=models.UniqueConstraint(
                fields=("institution", "certificate"), name="governance_termination_certificate"
            ),
        ),
    ]
