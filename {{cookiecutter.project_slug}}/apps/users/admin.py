from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]  # a tuple; the stubs allow None
        (_("연락처"), {"fields": ("phone",)}),
    )
    list_display = ("username", "email", "phone", "is_staff", "date_joined")
    search_fields = ("username", "email", "phone")
