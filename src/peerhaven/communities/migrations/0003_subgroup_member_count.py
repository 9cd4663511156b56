from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_members(apps, schema_editor):
    SubGroup = apps.get_model("communities", "SubGroup")
    SubGroupMember = apps.get_model("communities", "SubGroupMember")
    counts = (
        SubGroupMember.objects.filter(subgroup=OuterRef("pk"))
        .order_by()
        .values("subgroup")
        .annotate(n=Count("pk"))
        .values("n")
    )
    SubGroup.objects.update(member_count=Coalesce(Subquery(counts), 0))


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0002_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="subgroup",
            name="member_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_members, migrations.RunPython.noop),
    ]
