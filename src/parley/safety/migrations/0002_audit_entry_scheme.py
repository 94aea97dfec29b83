from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.CharField(
                choices=[("sha256", "Sha256"), ("hmac-sha256", "Hmac Sha256")],
                default="sha256",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
