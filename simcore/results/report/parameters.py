"""Every parameter of a scenario as (group, parameter, value) rows in plain words, uncertain ones
with their distribution: the report's and the workbook's parameter tables."""

from __future__ import annotations


def dist_text(d, percent: bool = True) -> str:
    """A drawn parameter: fixed, Beta (mean, sd) or uniform (low to high)."""

    def f(x):
        return f"{100 * x:.1f}%" if percent else f"{x:g}"

    if d.kind == "fixed":
        return f(d.value)
    if d.kind == "beta":
        return f"uncertain: Beta distribution, mean {f(d.mean)}, sd {f(d.sd)}"
    return f"uncertain: uniform between {f(d.low)} and {f(d.high)}"


def length_text(length) -> str:
    probs = [p for p in length.probs]
    if sum(1 for p in probs if p > 0) == 1:
        return f"{probs.index(max(probs)) + 1} preferences"
    return f"random, mean {length.mean:.2f} preferences"


def parameter_rows(sc) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []

    def add(group, name, value):
        rows.append((group, name, str(value)))

    add("Election", "title", sc.title)
    if sc.description:
        add("Election", "description", sc.description)
    add("Election", "seats", sc.seats)
    add("Election", "counting rule", sc.rule)
    for k, v in sorted(sc.options.items()):
        add("Election", f"rule option {k}", v)
    for m in sc.minimum:
        add("Election", "group minimum", m)
    if sc.college is not None:
        c = sc.college
        add("Election", "electoral college", c.method)
        if c.method == "block":
            add("Election", "unit rule", c.unit_rule)
            add("Election", "allocation", c.allocation)
    add("Simulation", "simulations (file's default)", f"{sc.sims:,}")
    add("Simulation", "seed (file's default)", sc.seed if sc.seed is not None else "fresh")
    if sc.precision is not None:
        add("Simulation", "precision target", f"+/- {sc.precision:g}")
    add("Simulation", "voters per generated ballot", sc.voters_per_ballot)
    names = {s.id: s.name for s in sc.slates}
    for c in sc.candidates:
        what = [f"slate {names.get(c.slate, c.slate)}" if c.slate else "no slate"]
        what.append(f"strength {c.strength:g}")
        what += [f"{k} {v}" for k, v in sorted(c.attributes.items())]
        add("Candidates", c.name, ", ".join(what))
    for s in sc.slates:
        g = f"Slate {s.name} ({s.id})"
        sp = s.supporters
        for o, order in s.orderings.items():
            add(g, f"ordering {o}", " > ".join(order))
        add(g, "supporters' share of voters", f"{100 * sp.share:.1f}%")
        for region, share in sorted(sp.region_shares.items()):
            add(g, f"share in {region}", f"{100 * share:.1f}%")
        add(g, "national swing (sd)", f"{100 * sp.swing_sd:.1f} points")
        add(g, "regional noise (sd)", f"{100 * sp.regional_sd:.1f} points")
        add(g, "follow the recommended order exactly", dist_text(sp.follow))
        add(g, "of the others: share perturbing the order", f"{100 * sp.mallows_share:.1f}%")
        add(g, "Mallows dispersion phi (0 = the order, 1 = random)", dist_text(sp.phi, False))
        add(g, "rank only the slate's candidates", dist_text(sp.stop_after_slate))
        add(g, "extra preferences of the others", length_text(sp.continue_length))
    add("Other voters", "preferences ranked", length_text(sc.nonaligned.length))
    add("Other voters", "candidate strength noise (sd, log scale)", sc.nonaligned.strength_sd)
    for r in sc.regions:
        value = f"electorate {r.electorate:,}; turnout {dist_text(r.turnout)}"
        if r.weight is not None:
            value += f"; weight {r.weight}"
        add("Regions", r.name, value)
    for st in sc.strategies:
        g = f"Strategy {st.name}"
        add(g, "description", st.description or "(none)")
        for slate, by_region in st.orderings.items():
            used: dict[str, list[str]] = {}
            for region, order in by_region.items():
                used.setdefault(order, []).append(region)
            if len(used) == 1:
                add(g, f"{names.get(slate, slate)}: ordering", f"{next(iter(used))} everywhere")
                continue
            for order, regions in used.items():
                add(g, f"{names.get(slate, slate)}: {order}", "in " + ", ".join(regions))
    return rows
