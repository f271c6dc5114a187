"""Shared answers for the road-to-use unit tests (tests/test_road_*.py)."""
import yaml

import sivreg

MDSW_IIB = {"qual.is_software": "yes", "qual.annex_xvi": "no", "qual.accessory": "no",
            "qual.drives_device": "no", "qual.action_on_data": "yes", "qual.individual_patients": "yes",
            "qual.medical_purpose": "yes", "regime.ivd_information": "no", "mdr.r11_decisions": "yes",
            "mdr.r11a_subrule": "serious_or_surgery", "mdr.r11_monitoring": "no", "mdr.other_rules": ["none"],
            "org.manufacturer": "trust", "conf.in_house_only": "no", "org.hospital_uses": "yes",
            "lang.norwegian_information": "yes"}
IN_HOUSE = {**MDSW_IIB, "conf.in_house_only": "yes", "inhouse.other_legal_entity": "no",
            "inhouse.patient_use_outside": "no", "inhouse.industrial_scale": "no", "inhouse.qms": "yes",
            "inhouse.no_equivalent": "yes", "inhouse.info_on_request": "yes", "inhouse.public_declaration": "yes",
            "inhouse.documentation": "yes", "inhouse.manufacturing_measures": "yes",
            "inhouse.clinical_experience_review": "yes", "ci.study_planned": "no"}


def project(answers, studies=None, title="Testprosjekt", description="Beskrivelse av prosjektet",
            jurisdiction="NO", organisation=None, book=None):
    data = {"project": {"id": "t", "title": title, "description": description}, "answers": answers,
            "jurisdiction": jurisdiction}
    if studies:
        data["studies"] = studies
    if organisation:
        data["organisation"] = organisation
    return sivreg.loads(yaml.safe_dump(data, allow_unicode=True), book=book)


def assess(answers, studies=None, lang="en", as_of="2026-11-26", **kw):
    book = kw.pop("book", None)
    return sivreg.assess(project(answers, studies, book=book, **kw), as_of=as_of, lang=lang, book=book).to_dict()


def by_id(items):
    return {i["id"]: i for i in items}
