from django.conf import settings


def shop(request):
    """The shop's display name for every page (base.html's title and header)."""
    return {"shop_name": settings.SHOP_NAME}
