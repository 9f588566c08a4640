"""Apps announce themselves: each app's ``AppConfig`` subclasses :class:`ModuleConfig` and
names the parts it brings (menu, home panels, API routers, demo seeder, API auth).

Core finds them through ``django.apps.apps.get_app_configs()``, so adding an app touches
only ``INSTALLED_APPS``. Parts are named by dotted path and imported on first use, so an
AppConfig stays importable before the models are ready.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from ninja import Router

    from jisheng.accounts.models import User
    from jisheng.core.charts import Chart
    from jisheng.core.indicators import Indicator
    from jisheng.core.models import OrgUnit
    from jisheng.core.navigation import NavSection, PersonLink


@dataclass(frozen=True)
class HomePanel:
    """One box on the home page: a template rendered with ``context`` and, when given,
    ``own(user)``'s values, which are the user's own and read on every visit even when the
    app's panels are kept (``panels_kept_for``). ``own`` must be a module-level function (a
    kept panel is pickled into the cache)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    own: Callable[[User], dict[str, Any]] | None = None

    def context_for(self, user: User) -> dict[str, Any]:
        """The context to render the panel with for ``user``: ``own``'s values read now."""
        return self.context if self.own is None else {**self.context, **self.own(user)}


@dataclass(frozen=True)
class DataSection:
    """Part of a subject-access report: a titled table of what one app holds on a person.

    ``health`` marks sensitive health data (shown only to holders of the health duty).
    """

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]
    health: bool = False


class PersonalDataProvider(Protocol):
    """The sections one app holds about ``person`` that ``user`` may see."""

    def __call__(self, user: User, person: Any) -> list[DataSection]: ...


@dataclass(frozen=True)
class DataInventory:
    """Every field of an app's models, by model name: ``personal`` and ``sensitive``
    (personal information / sensitive personal information in PIPL's terms), ``neither``.

    Sensitive fields must be encrypted; ``plaintext_sensitive`` names the exceptions
    (``"Model.field"``) with the reason each is kept in clear.
    """

    personal: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sensitive: dict[str, tuple[str, ...]] = field(default_factory=dict)
    neither: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plaintext_sensitive: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClosedRecords:
    """A kind of closed record an app lets the retention purge delete.

    ``expired(cutoff)`` returns the rows closed before ``cutoff`` (a queryset); the purge
    deletes them and counts them under ``key`` in its audited report. Only records that no
    archive duty keeps belong here (docs/retention.md says which are kept and why).
    """

    key: str
    expired: Callable[[dt.datetime], Any]


class DemoSeeder(Protocol):
    """Adds an app's demo records once the demo population exists."""

    def __call__(self, *, street: OrgUnit, today: dt.date, rng: random.Random) -> None: ...


class ModuleConfig(AppConfig):
    """An app of jisheng. Every attribute is optional; leave out what the app does not have.

    - ``navigation``: dotted path of a module with ``SECTION`` (a ``NavSection``) or
      ``SECTIONS`` (several), and optionally ``PERSON_LINKS`` (buttons on a resident's page).
    - ``menu_order``: where its sections sit in the menu (lower first).
    - ``home_panels``: dotted path of ``home_panels(user) -> list[HomePanel]``.
    - ``panel_order``: where its panels sit on the home page (lower first).
    - ``panels_kept_for``: seconds the home page may keep the app's panels for each user
      (counts over an area: the page says as of when); 0 counts them on every visit. The
      user's own short lists go in a panel's ``own`` (read on every visit).
    - ``api_routers``: ``(prefix, dotted path of a ninja Router)`` pairs, mounted under ``/api``.
    - ``api_auth``: dotted paths of ninja auth classes tried before the page session.
    - ``demo_seeder``: dotted path of ``demo_seed(*, street, today, rng)``, run in
      ``INSTALLED_APPS`` order after the demo population is created.
    - ``maintenance``: dotted paths of ``job() -> None`` the task worker runs at start and
      periodically (recover work of dead processes, purge expired files).
    - ``personal_data``: dotted path of ``personal_data(user, person) -> list[DataSection]``:
      what the app holds about one resident that ``user`` may see (subject-access report).
    - ``data_inventory``: dotted path of a :class:`DataInventory` classifying every field of
      the app's models as personal, sensitive personal or neither.
    - ``closed_records``: dotted path of a tuple of :class:`ClosedRecords`: closed records the
      retention purge deletes once ``JISHENG_RETENTION_DAYS["closed"]`` has passed.
    - ``indicators``: dotted path of a tuple of ``core.indicators.Indicator``: the service
      figures the app computes from its live records (target books score them by key).
    - ``serves``: capabilities (values) whose work the app gives pages to. A role whose duty no
      installed app serves yet sees a placeholder instead (see :func:`served`).
    - ``spending_receiver``: dotted path of the ledger's ``receive(entries, *, actor)``, which
      takes the spending other apps record (``core.spending.record_spending``).
    - ``dashboard_charts``: dotted path of a tuple of ``core.charts.Chart``: charts the app adds
      to the dashboards (each builds its data for the user, or None when outside their duties).
    - ``occasions``: dotted path of a tuple of ``core.occasions.OccasionSource``: events (e.g.
      publicity activities) that other apps' records can say they happened at.
    - ``occasion_records``: dotted path of ``records_at(user, kind, occasion_id)``: the app's
      records that name an occasion, for the occasion's page (``core.occasions``).
    - ``service_status``: dotted path of ``status_of(person_id) -> list[ServiceStatus]``: the
      person's standing in the app's services, for the answer to another region's query
      (``core.service_status``; status and dates only).
    - ``person_moved``: dotted path of ``person_moved(person_ids) -> None``: residents whose
      community or name changed (a move in, a correction of the name, their reversal); the
      app updates the community and name it keeps on its rows from the person's. Called by
      the registry inside the change's transaction (:func:`persons_moved`), so lists scoped
      or sorted by the stored copy follow at once.
    - ``rows_filters``: dotted paths of functions its rows templates use as Jinja2 filters
      (``core.rows``), each under its own name: a Django filter of the app's, given to Jinja2.
    - ``kept_figures``: dotted path of ``differences() -> Mapping[key, (kept, counted)]``:
      the figures the app keeps with its records (counters updated in the transaction of the
      event) that differ from a direct count now; ``jisheng rollups check`` reports them with
      the rollups' (:func:`kept_figures_differences`).
    """

    navigation: ClassVar[str | None] = None
    menu_order: ClassVar[int] = 50
    home_panels: ClassVar[str | None] = None
    panel_order: ClassVar[int] = 50
    panels_kept_for: ClassVar[int] = 0
    api_routers: ClassVar[tuple[tuple[str, str], ...]] = ()
    api_auth: ClassVar[tuple[str, ...]] = ()
    demo_seeder: ClassVar[str | None] = None
    maintenance: ClassVar[tuple[str, ...]] = ()
    personal_data: ClassVar[str | None] = None
    personal_data_order: ClassVar[int] = 50
    data_inventory: ClassVar[str | None] = None
    closed_records: ClassVar[str | None] = None
    indicators: ClassVar[str | None] = None
    serves: ClassVar[tuple[str, ...]] = ()
    spending_receiver: ClassVar[str | None] = None
    dashboard_charts: ClassVar[str | None] = None
    occasions: ClassVar[str | None] = None
    occasion_records: ClassVar[str | None] = None
    service_status: ClassVar[str | None] = None
    person_moved: ClassVar[str | None] = None
    rows_filters: ClassVar[tuple[str, ...]] = ()
    kept_figures: ClassVar[str | None] = None


def module_configs() -> list[ModuleConfig]:
    """The installed apps that are jisheng modules, in ``INSTALLED_APPS`` order."""
    return [config for config in apps.get_app_configs() if isinstance(config, ModuleConfig)]


def _navigation_modules() -> list[ModuleType]:
    configs = sorted(
        (c for c in module_configs() if c.navigation), key=lambda config: config.menu_order
    )
    return [import_module(config.navigation) for config in configs if config.navigation]


@cache
def nav_sections() -> tuple[NavSection, ...]:
    """Every app's menu sections, in menu order."""
    sections: list[NavSection] = []
    for module in _navigation_modules():
        sections.extend(getattr(module, "SECTIONS", ()))
        if hasattr(module, "SECTION"):
            sections.append(module.SECTION)
    return tuple(sections)


@cache
def declared_person_links() -> tuple[PersonLink, ...]:
    """Every app's buttons on a resident's page, in menu order."""
    return tuple(
        link for module in _navigation_modules() for link in getattr(module, "PERSON_LINKS", ())
    )


@dataclass(frozen=True)
class PanelProvider:
    """One app's ``home_panels`` and how long the home page may keep what it gives."""

    app: str
    provide: Callable[[User], list[HomePanel]]
    kept_for: int


@cache
def home_panel_providers() -> tuple[PanelProvider, ...]:
    """Every app's panel provider, in page order."""
    configs = sorted(
        (c for c in module_configs() if c.home_panels), key=lambda config: config.panel_order
    )
    return tuple(
        PanelProvider(config.label, import_string(config.home_panels), config.panels_kept_for)
        for config in configs
        if config.home_panels
    )


def home_panels(user: User) -> list[HomePanel]:
    """The home-page panels every app offers this user, in page order."""
    return [panel for provider in home_panel_providers() for panel in provider.provide(user)]


def served(capability: str) -> bool:
    """Whether an installed app gives pages to holders of ``capability`` (``serves``).

    The placeholder a duty shows until its module exists asks this, so installing the module
    is all it takes to replace it.
    """
    return any(capability in config.serves for config in module_configs())


def api_routers() -> list[tuple[str, Router]]:
    """``(prefix, router)`` of every app, in ``INSTALLED_APPS`` order."""
    return [
        (prefix, import_string(path))
        for config in module_configs()
        for prefix, path in config.api_routers
    ]


def api_auth() -> list[Any]:
    """Instances of the API auth classes the apps bring (e.g. bearer tokens)."""
    return [import_string(path)() for config in module_configs() for path in config.api_auth]


def demo_seeders() -> list[DemoSeeder]:
    """Every app's demo seeder, in ``INSTALLED_APPS`` order."""
    return [import_string(c.demo_seeder) for c in module_configs() if c.demo_seeder]


def rows_filters() -> dict[str, Callable[..., Any]]:
    """Every app's filters for the rows drawn by Jinja2 (``core.rows``), by function name."""
    found: dict[str, Callable[..., Any]] = {}
    for config in module_configs():
        for path in config.rows_filters:
            function = import_string(path)
            if function.__name__ in found:
                msg = f"Two apps give the rows a filter named {function.__name__!r}: {path}"
                raise ImproperlyConfigured(msg)
            found[function.__name__] = function
    return found


def maintenance_jobs() -> list[Callable[[], None]]:
    """Every app's maintenance jobs, in ``INSTALLED_APPS`` order."""
    return [import_string(path) for config in module_configs() for path in config.maintenance]


def dashboard_charts() -> list[Chart]:
    """Every app's dashboard charts, in page order (``Chart.order``, then app order)."""
    charts: list[Chart] = []
    for config in module_configs():
        if config.dashboard_charts:
            charts.extend(import_string(config.dashboard_charts))
    return sorted(charts, key=lambda chart: chart.order)


def persons_moved(person_ids: Collection[int]) -> None:
    """Tell every app that these residents' community or name changed; run inside the
    registry's transaction, so the apps' stored copies change with the person's or not at all."""
    if not person_ids:
        return
    for config in module_configs():
        if config.person_moved:
            import_string(config.person_moved)(sorted(person_ids))


def kept_figures_differences() -> list[tuple[str, object, int, int]]:
    """Every app's kept figures that differ from a direct count: (app label, key, kept,
    counted)."""
    found: list[tuple[str, object, int, int]] = []
    for config in module_configs():
        if config.kept_figures:
            differences = import_string(config.kept_figures)()
            found.extend(
                (config.label, key, kept, counted)
                for key, (kept, counted) in sorted(differences.items())
            )
    return found


def closed_record_kinds() -> list[ClosedRecords]:
    """Every app's purgeable closed records, in ``INSTALLED_APPS`` order."""
    kinds: list[ClosedRecords] = []
    for config in module_configs():
        if config.closed_records:
            kinds.extend(import_string(config.closed_records))
    return kinds


@cache
def indicators() -> dict[str, Indicator]:
    """Every app's indicators by key, in ``INSTALLED_APPS`` order; a key declared twice is a
    programming error, refused at first use."""
    found: dict[str, Indicator] = {}
    for config in module_configs():
        if config.indicators:
            for indicator in import_string(config.indicators):
                if indicator.key in found:
                    raise ImproperlyConfigured(f"indicator {indicator.key!r} declared twice")
                found[indicator.key] = indicator
    return found


def personal_data_providers() -> list[PersonalDataProvider]:
    """Every app's part of the subject-access report, in report order."""
    configs = sorted(
        (c for c in module_configs() if c.personal_data), key=lambda c: c.personal_data_order
    )
    return [import_string(c.personal_data) for c in configs if c.personal_data]


def data_inventories() -> dict[str, DataInventory | None]:
    """Each jisheng app's data inventory by app label (None: it declares none); core, not a
    module, declares one too."""
    found: dict[str, DataInventory | None] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("jisheng."):
            path: str | None = getattr(config, "data_inventory", None)
            found[config.label] = import_string(path) if path else None
    return found
