from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from jisheng.publicity.models import Activity, Asset, AssetKind, Photo, Training
from scope_objects import ForeignContext
from support.images import JPEG


def make(ctx: ForeignContext) -> dict[str, str]:
    """An activity, an asset, a photo in community 2 and a training of the other street's
    worker's community: outside community 1."""
    worker, unit = ctx.other_worker, ctx.other_person.community
    activity = Activity.objects.create(
        org_unit=unit,
        date=dt.date(2026, 3, 8),
        kind="lecture",
        title="讲座",
        organiser="社区",
        recorded_by=worker,
    )
    asset = Asset.objects.create(
        org_unit=unit, kind=AssetKind.POPULATION_SCHOOL, name="人口学校", created_by=worker
    )
    photo = Photo.objects.create(
        org_unit=unit,
        activity=activity,
        file=ContentFile(JPEG, name="scope.jpg"),
        thumbnail=ContentFile(JPEG, name="scope.thumb.jpg"),
        uploaded_by=worker,
    )
    training = Training.objects.create(
        org_unit=unit,
        topic="培训",
        trainer="王老师",
        start_date=dt.date(2026, 4, 10),
        end_date=dt.date(2026, 4, 10),
        hours=2,
        recorded_by=worker,
    )
    return {
        "activity_id": str(activity.pk),
        "asset_id": str(asset.pk),
        "photo_id": str(photo.pk),
        "training_id": str(training.pk),
    }
