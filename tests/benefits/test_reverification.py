import datetime as dt
from django.db.models import Case, When, Value, IntegerField, Q
from jisheng.benefits.models import ReviewCampaign, ReviewItem, Entitlement, Program


def test_probe(org, make_person, make_user):
    from jisheng.accounts.roles import Role
    u = make_user(Role.STREET_STAFF)
    p = Program.objects.get(code="childcare-subsidy")
    c = ReviewCampaign.objects.create(program=p, org_unit=org.street, year=2026, created_by=u)
    items = []
    for i, flags in enumerate([[], [{"kind": "death", "date": "2025-01-01", "text": "x"}], [{"kind": "rule", "date": None, "text": "y"}, {"kind": "death", "date": "2025-01-01", "text": "x"}]]):
        person = make_person(name=f"p{i}")
        e = Entitlement.objects.create(program=p, person=person, community=org.c1, start_date=dt.date(2024,1,1))
        items.append(ReviewItem.objects.create(campaign=c, entitlement=e, community=org.c1, flags=flags))
    qs = ReviewItem.objects.all()
    print("empty", list(qs.filter(flags=[]).values_list("pk", flat=True)))
    print("nonempty", list(qs.exclude(flags=[]).values_list("pk", flat=True)))
    print("k0", list(qs.filter(flags__0__kind__isnull=False).values_list("pk", flat=True)))
    print("death", list(qs.filter(Q(flags__0__kind="death")|Q(flags__1__kind="death")).values_list("pk", flat=True)))
    ann = qs.annotate(f=Case(When(flags__0__kind__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField())).order_by("-f", "pk")
    print("order", list(ann.values_list("pk", "f")))
