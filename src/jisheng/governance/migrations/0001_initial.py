# The app's first migration: empty, so that its areas can each add their own after it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
