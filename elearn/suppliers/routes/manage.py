"""Admin: supplier sites (list, create, close or reopen), their counts and CSV export,
and the printable poster. Which sites an admin manages: admin/scope.place_clause."""

from __future__ import annotations

import csv
from datetime import date
from itertools import groupby

from flask import Response, abort, flash, redirect, render_template, stream_with_context, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ...admin.audit import record
from ...admin.cells import safe_cell
from ...admin.scope import actor_scope, filter_choices
from ...auth.roles import role_required
from ...extensions import db
from ...i18n import LOCALES
from ...qr import qr_image
from ...urls import absolute_url
from ...web import country_choices
from .. import bp
from ..counts import SMALLEST_SHOWN, Masked, Shown, SiteCounts, counts_of, tally
from ..forms import OpenStateForm, SiteForm
from ..models import SupplierCount, SupplierSite
from ..sites import create_site, managed_site_or_404, managed_sites, set_open

CSV_COLUMNS = (
    "supplier",
    "site",
    "country",
    "breakdown",
    "value",
    "started (unverified)",
    "completed (unverified)",
)


def public_link(site: SupplierSite) -> str:
    return absolute_url(url_for("suppliers.landing", site_code=site.public_code))


@bp.get("/admin/supplier-sites")
@role_required("admin")
def sites():
    listed = db.session.scalars(managed_sites().order_by(SupplierSite.supplier_name, SupplierSite.site_name)).all()
    return render_template(
        "suppliers/sites.html",
        sites=listed,
        counts=counts_of(site.id for site in listed),
        countries=dict(country_choices()),
        smallest=SMALLEST_SHOWN,
    )


@bp.route("/admin/supplier-sites/new", methods=["GET", "POST"])
@role_required("admin")
def new_site():
    managed_sites()  # 403 for a department-scoped admin
    _departments, countries, _regions = filter_choices(actor_scope())
    form = SiteForm(countries=countries)
    if form.validate_on_submit():
        site = create_site(form.supplier_name.data, form.site_name.data, form.country.data, form.languages())
        db.session.commit()
        flash(_("The supplier site is created. Print its poster and put it up where the workers will see it."), "info")
        return redirect(url_for(".site", site_id=site.id))
    return render_template("suppliers/site_form.html", form=form), (400 if form.errors else 200)


@bp.get("/admin/supplier-sites/<int:site_id>")
@role_required("admin")
def site(site_id: int):
    site = managed_site_or_404(site_id)
    counts = counts_of([site.id])[site.id]
    return render_template(
        "suppliers/site.html",
        site=site,
        link=public_link(site),
        counts=counts,
        countries=dict(country_choices()),
        language_names={code: name for code, (name, _tag, _dir) in LOCALES.items()},
        month_names={t.key: format_date(date.fromisoformat(t.key + "-01"), "MMMM y") for t in counts.by_month},
        smallest=SMALLEST_SHOWN,
    )


@bp.post("/admin/supplier-sites/<int:site_id>/open-state")
@role_required("admin")
def set_open_state(site_id: int):
    site = managed_site_or_404(site_id)
    form = OpenStateForm()
    if not form.validate_on_submit():  # the page's two buttons send yes or no
        abort(400)
    if set_open(site, form.open.data == "yes"):
        db.session.commit()
        flash(_("The link works again.") if site.closed_at is None else _("The link is closed."), "info")
    return redirect(url_for(".site", site_id=site.id))


@bp.get("/admin/supplier-sites/<int:site_id>/poster")
@role_required("admin")
def poster(site_id: int):
    """An A4 page to print: the QR code of the public link and an invitation in each of
    the site's languages (each rendered in its own language)."""
    site = managed_site_or_404(site_id)
    link = public_link(site)
    invitations = []
    for locale in site.languages:
        with force_locale(locale):
            invitations.append(
                {
                    "lang": LOCALES[locale][1],
                    "dir": LOCALES[locale][2],
                    "heading": _("Know your rights at work"),
                    "text": _(
                        "Free training on forced labour: how to recognise it and where to get help. "
                        "Scan the code with your phone's camera, or type the address under it."
                    ),
                    "promise": _("No account needed. We do not ask your name."),
                }
            )
    return render_template(
        "suppliers/poster.html",
        site=site,
        link=link,
        qr=qr_image(link, scale=10),
        invitations=invitations,
        country_name=dict(country_choices()).get(site.country, site.country),
    )


class LineOut:
    """What csv.writer writes to: each row comes back as its CSV line (one site's lines
    are sent at once)."""

    def write(self, line: str) -> str:
        return line


def csv_rows(counts: SiteCounts) -> list[tuple[str, str, Shown, Shown]]:
    rows = [("total", "", counts.total.started, counts.total.completed)]
    rows += [("language", t.key, t.started, t.completed) for t in counts.by_language]
    rows += [("month", t.key, t.started, t.completed) for t in counts.by_month]
    return rows


@bp.get("/admin/supplier-sites/counts.csv")
@role_required("admin")
def counts_csv():
    """Every managed site's counts by language and by month, masked as on the pages,
    streamed a site at a time."""
    sites = managed_sites().subquery()  # 403 for a department-scoped admin
    regions = actor_scope().regions
    record("supplier_counts.export", "csv", None, {"regions": sorted(regions) if regions else None})
    db.session.commit()
    statement = (
        select(
            sites.c.id,
            sites.c.supplier_name,
            sites.c.site_name,
            sites.c.country,
            SupplierCount.month,
            SupplierCount.locale,
            SupplierCount.started,
            SupplierCount.completed,
        )
        .outerjoin(SupplierCount, SupplierCount.site_id == sites.c.id)
        .order_by(sites.c.id)
        .execution_options(yield_per=2000)
    )
    masked = {Masked.FEWER: f"fewer than {SMALLEST_SHOWN}", Masked.HIDDEN: "hidden"}

    def cell(count: Shown) -> int | str:
        return masked[count] if isinstance(count, Masked) else count

    writer = csv.writer(LineOut())

    def generate():
        yield writer.writerow(CSV_COLUMNS)
        rows = (row for chunk in db.session.execute(statement).partitions() for row in chunk)
        for _site_id, grouped in groupby(rows, key=lambda row: row[0]):
            site_rows = list(grouped)  # one site: its details, then a count row each (or none)
            counted = [tuple(row[4:]) for row in site_rows if row[4] is not None]
            names = [safe_cell(site_rows[0][1]), safe_cell(site_rows[0][2]), site_rows[0][3]]
            yield "".join(
                writer.writerow([*names, breakdown, value, cell(started), cell(completed)])
                for breakdown, value, started, completed in csv_rows(tally(counted))
            )

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=supplier-site-counts.csv"},
    )
