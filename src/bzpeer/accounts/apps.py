from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bzpeer.accounts"
    label = "bzpeer_accounts"  # allauth's app is "account"
