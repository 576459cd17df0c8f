"""Which e-mail domains prove an affiliation: the host of an institution's
link, or a subdomain of it, and never a free-mail provider."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

# Providers anyone can sign up with; "yahoo" and the like match every
# country's domain (yahoo.co.uk, gmx.de, yandex.ru).
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
        "msn.com", "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com",
        "proton.me", "protonmail.com", "pm.me", "icloud.com", "me.com", "mac.com",
        "mail.ru", "inbox.ru", "bk.ru", "list.ru", "aol.com", "zoho.com", "tutanota.com",
        "fastmail.com", "hey.com", "mail.com", "web.de", "naver.com", "daum.net",
        "rediffmail.com", "foxmail.com", "aliyun.com", "seznam.cz", "libero.it",
    }
)  # fmt: skip
FREE_MAIL_NAMES = frozenset({"yahoo", "ymail", "gmx", "yandex", "hotmail", "outlook", "live"})


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().rstrip(".").lower()


def _parents(domain: str) -> list[str]:
    """The domain and each parent with at least two labels: a.b.c -> a.b.c, b.c."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_free_mail(domain: str) -> bool:
    domain = domain.lower()
    return any(d in FREE_MAIL for d in _parents(domain)) or any(
        label in FREE_MAIL_NAMES for label in domain.split(".")[:-1]
    )


def link_host(link: str) -> str:
    """The host of an institution's link, without "www."; '' when it has none."""
    try:
        host = urlsplit(link if "//" in link else f"//{link}").hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def matching_host(email: str, links: Iterable[str]) -> str:
    """The institution host the address's domain (or a parent of it) is, else ''."""
    domain = email_domain(email)
    if not domain or is_free_mail(domain):
        return ""
    hosts = {h for h in (link_host(str(link)) for link in links) if "." in h}
    return next((d for d in _parents(domain) if d in hosts and not is_free_mail(d)), "")
