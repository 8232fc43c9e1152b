from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "liaison.referrals"
    label = "referrals"
