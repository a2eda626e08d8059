import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def test_the_user_model_is_the_custom_one_with_a_phone_number():
    user = get_user_model().objects.create_user("kim", password="pw-123456", phone="01012345678")

    user.refresh_from_db()
    assert get_user_model()._meta.label == "users.User"
    assert user.phone == "01012345678"


@pytest.mark.parametrize("phone", ["010-1234-5678", "0212345678", "+821012345678", "0101234"])
def test_a_phone_number_must_be_korean_mobile_digits_only(phone):
    user = get_user_model()(username="lee", phone=phone)

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert "phone" in error.value.message_dict


def test_a_phone_number_is_optional():
    user = get_user_model()(username="park")

    user.full_clean(exclude=["password"])
