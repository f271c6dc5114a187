"""Clinical-investigation planner: MDR Arts 61-82 (Annex XIV, XV), IVDR Arts 57-77, with
Norway's rules for DMP and REK.

MDR Art 2(45): a clinical investigation is "any systematic investigation involving one or
more human subjects, undertaken to assess the safety or performance of a device". A
retrospective study of data that already exist, analysed separately from the decision to
use the device, is not one (MDCG 2021-6 Q18). Routes:
  Art 62       for conformity assessment (also proof of concept, feasibility and usability
               studies, MDCG 2021-6 Q8-Q9, Q17): application; start after validation
               (Art 70(7)(a), class I, also invasive, and non-invasive IIa/IIb) or after
               authorisation within 45 days, +20 (Art 70(7)(b), class III and invasive
               IIa/IIb). Validation: 10 days, +5 (Art 70(1), (4)); without a reply the
               validation date is the last day of the period (70(5)). Earliest starts use the
               longest period DMP may take for a complete application (15, or 15 + 45 + 20).
  Art 74(2)    CE-marked device outside its intended purpose: Arts 62-81 apply in full.
  Art 82       other purposes: in Norway an application to DMP like Art 62 for devices
               without CE marking (DMP).
  Art 74(1)    CE-marked, within purpose, additional invasive or burdensome procedures:
               notification at least 30 days before the start.
  none         CE-marked, within purpose, no extra procedures: neither application nor
               notification to DMP (REK may still be needed).
IVDR: Art 58(1)/(2) studies (surgically invasive sampling, interventional, extra risk, or
companion diagnostics) need an application (start Art 66(7): after validation only for
58(1)(a) studies whose sampling is no major clinical risk, else after authorisation within
45 days, +20); companion diagnostics on
left-over samples only are notified (Art 58(2)); Art 70(1) notification, Art 70(2)
application; studies on existing data or left-over samples are not Art 58 studies.
Submissions go by e-mail to DMP, and to REK through the REK portal the same day.

Each planned study (`studies:` in the answers file, its answers overlaying the project's) is
decided on its own and listed in the extra field `studies` with its route, authorities, start
rule, day counts and documents. Without declared studies, the planner asks whether a study is
planned and, if so, treats the project as one study; it never guesses.

The project-level value is the most demanding route, in this order (ROUTE_ORDER):
  art_62_application > art_74_2_application > art_82_application >
  performance_study_application > art_74_1_notification > performance_study_notification >
  no_dmp_submission > not_a_clinical_investigation
Why: a study that needs prior authorisation or validation blocks the project longer and
needs more documents than one that only needs a notice, which in turn needs more than no
submission. Among applications, Art 62 comes first because its data are used for conformity
assessment and all of Arts 62-81 apply; Art 74(2) applies the same articles to a CE-marked
device; Art 82 applies only part of Art 62 at EU level (Norway adds the application).
IVDR applications rank below the MDR ones only so that the order is total; a project is
under one regulation, so the two never compete.
"""
from __future__ import annotations

from ..context import Ctx, Missing, Upstream
from .road_actions import days_after, days_before, period

ROUTE_ORDER = ("art_62_application", "art_74_2_application", "art_82_application",
               "performance_study_application", "art_74_1_notification",
               "performance_study_notification", "no_dmp_submission", "not_a_clinical_investigation")
SUBMISSION = {"art_62_application": "application", "art_74_2_application": "application",
              "art_82_application": "application", "performance_study_application": "application",
              "art_74_1_notification": "notification", "performance_study_notification": "notification"}
PROJECT_AS_STUDY = "project"


def decide(ctx):
    regime = ctx.value("regime")
    if regime == "none":
        ctx.not_applicable("ci.not_a_device", "not_applicable")
    if regime == "IVDR":
        ctx.step("ci.study", "note", finding=None, refs=("ivdr.art_57",), note="note.ivd_regime")
    cls = _class(ctx)
    parts = _parts(ctx, cls)
    if parts is None:
        ctx.set("studies", [])
        return ctx.conclude("ci.no_study_planned", "not_a_clinical_investigation", note="note.no_study")

    results, first_missing = [], None
    for sid, title, answers in parts:
        entry, missing = plan_study(ctx, regime, cls, sid, title, answers)
        results.append(entry)
        if entry["status"] == "determined":
            ctx.step(entry["rule"], "study", answer=sid, finding=f"clinical_investigation.{entry['value']}",
                     note="note.study", note_args={"title": title, "route": _label(ctx, entry["value"])})
        else:
            first_missing = first_missing or missing
            ctx.step("ci.study", "study", answer=sid, finding=None, note="note.study_open",
                     note_args={"title": title, "questions": ", ".join(entry["missing"])})
    ctx.set("studies", results)
    if first_missing is not None:
        raise first_missing
    top = min(results, key=lambda r: ROUTE_ORDER.index(r["value"]))
    if top["value"] == "not_a_clinical_investigation" and regime == "MDR":
        # Art 61(4): class III devices need clinical investigations as a rule; studies of
        # existing data alone do not meet that.
        ctx.checked("ci.class_iii_needs_investigation", cls == "III", finding="rule.applies",
                    note="note.no_study_class_iii" if cls == "III" else None)
    ctx.set("most_demanding_study", top["id"])
    ctx.step("ci.most_demanding", finding=f"clinical_investigation.{top['value']}", note="note.most_demanding",
             note_args={"study": top["title"], "route": _label(ctx, top["value"])})
    return ctx.conclude(top["rule"], top["value"])


def _label(ctx, value):
    return ctx.book.conclusions[f"clinical_investigation.{value}"][ctx.lang]


def _class(ctx):
    """The device class if settled; the route does not need it, only the start rule."""
    try:
        return ctx.value("device_class")
    except Upstream:
        return None


def _parts(ctx, cls):
    """The studies to plan: those declared, or the project itself if a study is planned."""
    if ctx.project.studies:
        return [(s.id, s.title, ctx.answers.overlay(s.answers)) for s in ctx.project.studies]
    if ctx.yes("ci.study_planned"):
        ctx.step("ci.project_as_study", finding="rule.applies")
        return [(PROJECT_AS_STUDY, ctx.project.title, ctx.answers)]
    if ctx.value("regime") == "IVDR":
        # MDCG 2020-1 §4.4: IVD software needs clinical performance studies whatever its
        # class, unless relying on other clinical performance data is justified.
        ctx.step("ivd.performance_study_expected", "note", finding="rule.applies", note="note.no_study_ivd")
        return None
    ctx.checked("ci.class_iii_needs_investigation", cls == "III", finding="rule.applies",
                note="note.no_study_class_iii" if cls == "III" else None)
    return None


def plan_study(ctx, regime, cls, sid, title, answers):
    """Decide one study with its own answers. Returns (entry, Missing or None)."""
    sub = Ctx(ctx.book, ctx.topic, answers, ctx.state)
    missing = None
    try:
        rule, value = (_ivd_route if regime == "IVDR" else _md_route)(sub)
        sub.conclude(rule, value)
        entry = {"id": sid, "title": title, "status": "determined", "value": value, "rule": rule,
                 "missing": [], "design": sub.given("ci.design")}
        entry.update(_details(sub, regime, cls, rule, value))
    except Missing as m:
        missing = m
        entry = {"id": sid, "title": title, "status": "indeterminate", "value": None, "rule": None,
                 "missing": [m.qid], "design": sub.given("ci.design")}
    ctx.wanted.extend(q for q in sub.wanted if q not in ctx.wanted)
    entry["trace"] = [s.to_dict() for s in sub.steps]
    return entry, missing


def _design(sub):
    """ci.design, with the two designs the guidance does not settle: staff-only simulation
    (inferred: no subjects' clinical data, Art 2(45)) and silent mode (uncertain: two readings)."""
    design = sub.ask("ci.design")
    if design == "silent_mode":
        # MDCG 2021-6 gives no answer. Reading 1: by analogy to Q18 (the output never reaches
        # clinicians and care is unchanged) it is not a clinical investigation. Reading 2: Art
        # 2(45)/Art 62: a systematic prospective investigation of the device's performance on
        # subjects' data. sivreg plans for the stricter reading and says to ask DMP.
        sub.step("ci.silent_mode", "uncertain", finding=None, note="note.ci_silent_mode")
    return design


def _md_route(sub):
    design = _design(sub)
    if design == "no_human_data":
        return "ci.not_ci_no_human_data", "not_a_clinical_investigation"
    if design == "staff_simulation":
        return "ci.not_ci_staff_simulation", "not_a_clinical_investigation"
    if design == "existing_data":
        return "ci.not_ci_retrospective", "not_a_clinical_investigation"
    if sub.yes("ci.ce_marked"):
        if not sub.yes("ci.within_purpose"):
            return "ci.art_74_2", "art_74_2_application"
        if sub.yes("ci.extra_burden"):
            return "ci.art_74_1", "art_74_1_notification"
        return "ci.ce_within_purpose", "no_dmp_submission"
    # Not CE-marked: Art 62 for conformity (pilot stages included); otherwise Art 82, which
    # Norway makes subject to application for devices without CE marking.
    purpose = sub.ask("ci.purpose")
    if purpose == "conformity":
        return "ci.art_62", "art_62_application"
    if purpose == "quality_assurance":
        # Quality assurance of the service is not health research (helseforskningsloven §§ 2, 4);
        # where the line runs is REK's to judge (inferred, shown with the REK guidance).
        sub.step("ci.quality_assurance", "note", finding=None, note="note.ci_quality_assurance")
        return "ci.quality_assurance", "not_a_clinical_investigation"
    if purpose == "in_house_validation":
        # Art 5(5) devices have no conformity assessment, so Art 62 does not fit; a study of one
        # is an Art 82 investigation (inference), which Norway makes subject to application.
        sub.step("ci.in_house_validation", "note", finding=None, note="note.ci_in_house_validation")
    if sub.jurisdiction == "NO":
        return "ci.art_82_no", "art_82_application"
    sub.step("ci.art_82_eu", "assumption", finding="clinical_investigation.art_82_application", note="note.art_82_eu")
    return "ci.art_82_eu", "art_82_application"


def _ivd_route(sub):
    design = _design(sub)
    if design == "no_human_data":
        return "ci.not_ci_no_human_data", "not_a_clinical_investigation"
    if design == "staff_simulation":
        return "ci.not_ci_staff_simulation", "not_a_clinical_investigation"
    if design == "existing_data":
        # Left-over samples and existing data: not an Art 58 study, except companion
        # diagnostics, which are notified (Art 58(2)).
        if sub.yes("ci.ivd_companion"):
            return "ivd.cdx_leftover", "performance_study_notification"
        return "ivd.not_art_58", "no_dmp_submission"
    if sub.yes("ci.ce_marked"):
        if not sub.yes("ci.within_purpose"):
            return "ivd.art_70_2", "performance_study_application"
        if sub.yes("ci.extra_burden"):
            return "ivd.art_70_1", "performance_study_notification"
        return "ivd.ce_within_purpose", "no_dmp_submission"
    triggers = [t for t in sub.ask("ci.ivd_art58") if t != "none"]
    if triggers or sub.yes("ci.ivd_companion"):
        return "ivd.art_58_1", "performance_study_application"
    return "ivd.art_57_only", "no_dmp_submission"


def _start(sub, regime, cls, rule, value):
    """(message key, periods, lead days before the start) for the study's start rule."""
    if value in ("art_62_application", "art_74_2_application", "art_82_application"):
        if cls in ("IIa", "IIb") and _hardware_bound(sub):
            # Art 70(7)(a) covers class I and *non-invasive* IIa/IIb only. Software on its own
            # is non-invasive (inference), but software that is part of, or an accessory to,
            # a hardware device is investigated with that device, which may be invasive.
            invasive = sub.yes("ci.invasive_device")
            sub.checked("ci.art_70_7_b_invasive", invasive, finding="rule.applies")
            if invasive:
                ps = _authorisation_periods(sub, "ci")
                return "start.after_authorisation", ps, sum(p["days"] for p in ps)
        if cls == "III":
            ps = _authorisation_periods(sub, "ci")
            return "start.after_authorisation", ps, sum(p["days"] for p in ps)
        if cls is None:
            ps = _authorisation_periods(sub, "ci")
            return "start.depends_on_class", ps, sum(p["days"] for p in ps)
        # Art 70(5): without a reply the validation date is the last day of the (extended) period.
        ps = [period(sub, "ci.low_risk_start")]
        return "start.after_validation", ps, ps[0]["days"]
    if value == "art_74_1_notification":
        ps = [period(sub, "ci.notice")]
        return "start.after_notice", ps, ps[0]["days"]
    if value == "performance_study_application":
        # IVDR Art 66(7): only a study under Art 58(1)(a) (surgically invasive sample-taking,
        # nothing else of 58(1)(b)-(c) or 58(2)) whose specimen collection is not a major
        # clinical risk may start after validation; every other study waits for authorisation.
        point_a = _ivd_point_a(sub, rule)
        low = sub.ask_optional("ci.ivd_low_risk_sampling") if point_a is not False else None
        if point_a and low == "yes":
            ps = [period(sub, "ivd.low_risk_start")]
            return "start.ivd_after_validation", ps, ps[0]["days"]
        if point_a is None or (point_a and low is None):
            # Not known whether point (a) applies: plan for the longer route, authorisation
            # (66(7)(b)), and say that this is an assumption.
            sub.step("ivd.authorisation_assumed", "assumption", finding=None, note="note.ivd_authorisation_assumed")
        ps = _authorisation_periods(sub, "ivd")
        return "start.ivd_after_authorisation", ps, sum(p["days"] for p in ps)
    if value == "performance_study_notification":
        if rule == "ivd.art_70_1":
            ps = [period(sub, "ivd.notice")]
            return "start.ivd_notice", ps, ps[0]["days"]
        return "start.ivd_cdx_notice", [], 0
    if value == "no_dmp_submission":
        return "start.no_dmp", [], None
    return "start.not_ci", [], None


def _modification(sub, regime, value):
    """MDR Art 75 (also through Art 74(1) and 74(2)) / IVDR Art 71: a running study with a planned
    substantial modification: notify within one week, implement at the earliest 38 days after
    the notice, +7 for experts. For Art 82 the article is applied by analogy (inferred)."""
    if sub.ask_optional("ci.running") != "yes":
        return None
    if sub.ask_optional("ci.substantial_modification") != "yes":
        return None
    prefix = "ivd" if regime == "IVDR" else "ci"
    ps = [period(sub, f"{prefix}.modification_{k}") for k in ("notice", "wait", "extension")]
    rule = "ivd.art_71" if regime == "IVDR" else "ci.art_75"
    sub.step(rule, finding="rule.applies")
    return {"rule": rule, "periods": ps, "implement_after_days": ps[1]["days"] + ps[2]["days"],
            "certainty": "inferred" if value == "art_82_application" else "stated"}


def _authorisation_periods(sub, prefix):
    """The longest time DMP may take before a start after authorisation, for a complete
    application: validation 10 days + 5 (MDR Art 70(1), (4); IVDR Art 66(1), (4)), then
    authorisation within 45 days + 20 for experts (Art 70(7)(b); IVDR Art 66(7)(b))."""
    ids = (f"{prefix}.validation", f"{prefix}.validation_extension", f"{prefix}.authorisation",
           f"{prefix}.authorisation_extension")
    return [period(sub, i) for i in ids]


def _ivd_point_a(sub, rule):
    """True if the performance study falls only under IVDR Art 58(1)(a), False if it falls
    under 58(1)(b), (c) or 58(2), None while that is not known."""
    triggers = sub.given("ci.ivd_art58") if rule == "ivd.art_58_1" else sub.ask_optional("ci.ivd_art58")
    if triggers is None or triggers == "unknown":
        return None
    triggers = {t for t in triggers if t != "none"}
    if triggers != {"surgically_invasive_sampling"}:
        return False
    companion = sub.ask_optional("ci.ivd_companion")
    return None if companion is None else companion == "no"


def _hardware_bound(sub) -> bool:
    """Software regulated with a hardware device (part of it, or its accessory)."""
    qual = sub.state.outcomes.get("qualification")
    return qual is not None and qual.status == "determined" and qual.value in ("part_of_device", "accessory")


def _recipient(sub, action_id):
    a = sub.book.actions[action_id]
    return {"action": action_id, "recipient": a["recipient"][sub.lang], "refs": list(a["refs"]),
            "certainty": a.get("certainty", "stated")}


def _details(sub, regime, cls, rule, value):
    key, periods, lead = _start(sub, regime, cls, rule, value)
    args = {"validation": None, "authorisation": None, "extension": None, "notice": None}
    for p in periods:
        if p["id"] in ("ci.validation", "ivd.validation"):
            args["validation"] = p["days"] + sub.book.periods[f"{p['id']}_extension"]["days"]
        elif p["id"] in ("ci.authorisation", "ivd.authorisation"):
            args["authorisation"] = p["days"]
        elif p["id"] in ("ci.authorisation_extension", "ivd.authorisation_extension"):
            args["extension"] = p["days"]
        elif p["id"] in ("ci.notice", "ivd.notice"):
            args["notice"] = p["days"]
        elif p["id"] in ("ivd.low_risk_start", "ci.low_risk_start"):
            args["validation"] = p["days"]
    if key == "start.depends_on_class":
        args["authorisation"] = sub.book.periods["ci.authorisation"]["days"]
    submission = SUBMISSION.get(value)
    authorities, documents = [], []
    if submission:
        authorities = [_recipient(sub, "act.dmp_application" if submission == "application" else "act.dmp_notification"),
                       dict(_recipient(sub, "act.rek_application"),
                            same_day=period(sub, "ci.rek_same_day"))]
        checklist = "ivd_study_documents" if regime == "IVDR" else "ci_application_documents"
        documents = [{"id": i["id"], "label": i["label"][sub.lang], "refs": list(i["refs"])}
                     for i in sub.book.checklists[checklist]]
    elif sub.given("ci.design") not in ("no_human_data", "staff_simulation") and rule != "ci.quality_assurance":
        # Not a DMP matter, but health research on health data needs REK's prior approval.
        authorities = [dict(_recipient(sub, "act.rek_research"), conditional=True)]
    out = {"submission": submission, "authorities": authorities,
           "start": {"rule": key, "text": sub.book.messages[key][sub.lang].format(**args), "periods": periods},
           "documents": documents, "lead_days": lead}
    for st in sub.steps:
        if st.kind == "assumption" and st.rule == "ivd.authorisation_assumed":
            out["start"].update(assumption=st.rule, note=st.note)
        if st.rule == "ci.silent_mode":
            out["certainty"] = "uncertain"
            out["readings"] = [sub.book.messages[k][sub.lang] for k in ("ci.silent_mode.reading_q18", "ci.silent_mode.reading_art_62")]
        if st.rule == "ci.quality_assurance":
            out["certainty"] = "inferred"
            out["authorities"] = [dict(_recipient(sub, "act.rek_research"), conditional=True)]
    if value == "art_82_application":
        # Art 70 is written for Art 62 investigations; Norway's start rule for Art 82 is inferred.
        out["start"].update(certainty="inferred", note=sub.book.messages["start.art_82_by_analogy"][sub.lang])
    if submission:
        sponsor = sub.ask_optional("ci.sponsor")
        if sponsor:
            # the sponsor applies to DMP and REK (Art 2(49), Art 70(1)); Art 62(2): established in the EU/EEA
            out["sponsor"] = {"value": sponsor, "applies": sub.book.messages[f"ci.sponsor_applies.{sponsor}"][sub.lang]}
        modification = _modification(sub, regime, value)
        if modification:
            out["modification"] = modification
    planned = sub.ask_optional("ci.planned_start") if submission else None
    if submission and lead is not None:
        out["earliest_start_if_sent_today"] = days_after(sub.as_of, lead)
        if planned:
            out["planned_start"] = planned
            out["submit_by"] = days_before(planned, lead)
    return out


# -- contributor: the steps for the clinical evaluation and each study -----------------------

def contribute(ctx) -> None:
    """Obligations and next steps for the clinical evaluation and the planned studies."""
    from .mdr_conformity import organisation
    from .road_actions import act
    if ctx.value("regime") == "none":
        return
    first_missing = None
    # The clinical evaluation is the manufacturer's duty (Art 61): put it on the hospital only
    # once it is known to be the manufacturer; "don't know" waits.
    try:
        own_device = ctx.ask("org.manufacturer") == "trust"
    except Missing as m:
        own_device, first_missing = False, m
    pillars = [ctx.book.messages[k][ctx.lang] for k in
               ("pillar.valid_clinical_association", "pillar.technical_performance",
                "pillar.clinical_performance", "pillar.prospective_note")]
    if own_device:
        ctx.oblige("mdr.clinical_evaluation", components=pillars[:3])
        act(ctx, "act.clinical_evaluation_plan", components=pillars)
    out = ctx.outcome("clinical_investigation")
    studies = [s for s in out.extra.get("studies", ()) if s["status"] == "determined"]
    org = organisation(ctx)
    registered, dmp_app, dmp_note, rek_same_day, rek_research = [], [], [], [], []
    consent, dispensation, dpia, rek_exemption = [], [], [], []
    overlay = {s.id: ctx.answers.overlay(s.answers) for s in ctx.project.studies}
    for s in studies:
        if s["design"] in ("no_human_data", "staff_simulation"):
            continue
        registered.append(s["id"])
        sub = Ctx(ctx.book, ctx.topic, overlay.get(s["id"], ctx.answers), ctx.state)
        try:
            if s["submission"]:
                (dmp_app if s["submission"] == "application" else dmp_note).append(s)
                rek_same_day.append(s)
                consent.append(s["id"])
                dpia.append(s["id"])
            elif s["design"] == "existing_data":
                basis = sub.ask("ci.data_basis")
                if basis != "anonymous_or_synthetic":
                    {"dispensation": dispensation, "rek_exemption": rek_exemption}.get(basis, consent).append(s["id"])
                    dpia.append(s["id"])
                    if sub.yes("ci.health_research"):
                        rek_research.append(s["id"])
            else:  # prospective, no DMP submission (CE-marked within purpose; IVDR Art 57)
                consent.append(s["id"])
                dpia.append(s["id"])
                if sub.yes("ci.health_research"):
                    rek_research.append(s["id"])
        except Missing as m:
            first_missing = first_missing or m
    if registered:
        act(ctx, "act.register_internal", studies=registered,
            recipient=org["internal_registration_system"][ctx.lang], contact=org.get("contact_email"))
    if consent:
        act(ctx, "act.consent", studies=consent)
    if dispensation:
        act(ctx, "act.dispensation", studies=dispensation)
    if rek_exemption:
        act(ctx, "act.rek_confidentiality_exemption", studies=rek_exemption)
    if dpia:
        ctx.oblige("ci.dpia", studies=dpia)
        act(ctx, "act.dpia", studies=dpia)
    if rek_research:
        act(ctx, "act.rek_research", studies=rek_research)
    for aid, group in (("act.dmp_application", dmp_app), ("act.dmp_notification", dmp_note)):
        if group:
            act(ctx, aid, **_submission_fields(group))
    if rek_same_day:
        act(ctx, "act.rek_application", same_day_as_dmp=True, **_submission_fields(rek_same_day))
    rek = list(dict.fromkeys([s["id"] for s in rek_same_day] + rek_research))
    if rek:
        ctx.oblige("ci.rek_approval", studies=rek)
    if dmp_app or dmp_note:
        ctx.oblige("ci.investigation_requirements", studies=[s["id"] for s in dmp_app + dmp_note])
    modified = [s for s in dmp_app + dmp_note if s.get("modification")]
    if modified:
        act(ctx, "act.substantial_modification", studies=[s["id"] for s in modified],
            days=max(s["modification"]["implement_after_days"] for s in modified),
            periods=[p for s in modified for p in s["modification"]["periods"]])
    if first_missing is not None:
        raise first_missing


def _submission_fields(group):
    """Studies, day counts and the earliest due date of one kind of submission."""
    due = [s["submit_by"] for s in group if s.get("submit_by")]
    fields = {"studies": [s["id"] for s in group],
              "days": max((s["lead_days"] or 0) for s in group),
              "periods": [p for s in group for p in s["start"]["periods"]],
              "earliest_start_if_sent_today": min(s["earliest_start_if_sent_today"] for s in group
                                                  if s.get("earliest_start_if_sent_today"))
              if any(s.get("earliest_start_if_sent_today") for s in group) else None}
    if due:
        fields["due"] = min(due)
    return fields
