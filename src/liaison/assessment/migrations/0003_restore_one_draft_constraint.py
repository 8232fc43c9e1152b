"""Put back the one-draft-per-episode rule that 0002 lost on PostgreSQL.

0002 stopped Assessment.episode having its own index. On PostgreSQL, Django's AlterField then drops
every index on exactly (episode_id) that Meta.indexes does not name, and the partial unique index
behind the `assessment_one_draft` constraint is one. Removing (IF EXISTS) and adding it again makes
every database the same, whichever engine and whether or not it ran 0002 before this.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_fk_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="assessment", name="assessment_one_draft"),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")), fields=("episode",), name="assessment_one_draft"
            ),
        ),
    ]
