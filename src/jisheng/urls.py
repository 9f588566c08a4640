"""URL map: one include per module; the API under /api/."""

from django.urls import include, path
from django.views.i18n import set_language

from jisheng.core.api import api

urlpatterns = [
    path("", include("jisheng.reports.urls")),
    path("accounts/", include("jisheng.accounts.urls")),
    path("audit/", include("jisheng.audit.urls")),
    path("registry/", include("jisheng.registry.urls")),
    path("benefits/", include("jisheng.benefits.urls")),
    path("prepregnancy/", include("jisheng.prepregnancy.urls")),
    path("contraceptives/", include("jisheng.contraceptives.urls")),
    path("publicity/", include("jisheng.publicity.urls")),
    path("funds/", include("jisheng.funds.urls")),
    path("targets/", include("jisheng.targets.urls")),
    path("migrants/exchange/", include("jisheng.migrants.urls_exchange")),
    path("migrants/", include("jisheng.migrants.urls")),
    path("governance/", include("jisheng.governance.urls")),
    path("core/", include("jisheng.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]

handler400 = "jisheng.core.views.bad_request"
handler403 = "jisheng.core.views.permission_denied"
handler404 = "jisheng.core.views.page_not_found"
handler500 = "jisheng.core.views.server_error"
