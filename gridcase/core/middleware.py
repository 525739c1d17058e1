"""Chinese first: the language is Chinese unless the person chose another one.

Django's LocaleMiddleware would follow the browser's Accept-Language; the users of a
government workbench expect Chinese whatever their browser says, with English one click
away (the language switch sets a cookie, which this middleware honours).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
