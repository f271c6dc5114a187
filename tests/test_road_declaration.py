"""The in-house public declaration (MDR Art 5(5)(e), MDCG 2023-1 Annex A) drafted in bokmål and
English from the organisation profile and the answers."""
import shutil

import sivreg
from sivreg.catalogue import RULEBOOK_DIR, load_rulebook

from road_helpers import IN_HOUSE, assess


def test_declaration_has_the_model_fields_in_both_languages():
    a = assess({**IN_HOUSE, "inhouse.device_name": "LiverSeg 1.2", "inhouse.intended_purpose":
                "Segmentering av leversvulster på CT før kirurgi", "inhouse.gspr_all_met": "yes"})
    conf = a["outcomes"]["conformity"]
    assert conf["value"] == "in_house_exemption"
    decl = conf["public_declaration"]
    assert decl["model"] == "MDCG 2023-1 Annex A"
    f = decl["fields"]
    assert f["health_institution"] == "Sykehuset i Vestfold HF"
    assert f["device_identification"] == "LiverSeg 1.2"
    assert f["device_type"] == "MD" and f["risk_class"] == "IIb"
    assert f["gspr_fully_met"] == "yes"
    assert set(decl["to_complete"]) == {"date_and_location", "responsible_persons", "gspr_not_met_justification"}
    nb, en = decl["text"]["nb"], decl["text"]["en"]
    assert "Offentlig erklæring" in nb and "Sykehuset i Vestfold HF" in nb and "LiverSeg 1.2" in nb
    assert "vedlegg I" in nb and "[fyll inn]" in nb and "Risikoklasse: IIb" in nb
    assert "Public declaration" in en and "Vestfold Hospital Trust" in en and "Annex I" in en
    assert "[to be completed]" in en and "Risk class: IIb" in en
    assert "MDR (EU) 2017/745" in en


def test_declaration_defaults_to_project_title_and_marks_gaps():
    a = assess(IN_HOUSE, title="Levertumor-segmentering", description="")
    decl = a["outcomes"]["conformity"]["public_declaration"]
    assert decl["fields"]["device_identification"] == "Levertumor-segmentering"
    assert "intended_purpose" in decl["to_complete"] and "gspr_fully_met" in decl["to_complete"]
    # the optional questions are offered, never required
    assert "inhouse.device_name" in a["optional_questions"]
    assert a["outcomes"]["conformity"]["missing"] == []


def test_requirements_not_met_are_named_with_their_justification():
    a = assess({**IN_HOUSE, "inhouse.gspr_all_met": "no",
                "inhouse.gspr_not_met_justification": "23.4 (s): bruksanvisning bare elektronisk"})
    decl = a["outcomes"]["conformity"]["public_declaration"]
    assert "23.4 (s)" in decl["text"]["nb"] and "23.4 (s)" in decl["text"]["en"]
    assert "fully met: no" in decl["text"]["en"]


def test_ivd_declaration_names_the_ivdr():
    ivd = {k: v for k, v in IN_HOUSE.items() if not k.startswith("mdr.")}
    ivd.update({"regime.ivd_information": "yes", "regime.data_sources": "ivd_only", "ivdr.rules": ["r3_cancer"],
                "inhouse.iso_15189": "yes"})
    decl = assess(ivd)["outcomes"]["conformity"]["public_declaration"]
    assert decl["fields"]["device_type"] == "IVD" and decl["fields"]["risk_class"] == "C"
    assert "IVDR (EU) 2017/746" in decl["text"]["en"]
    assert decl["refs"][0] == "ivdr.art_5_5.f"


def test_another_hospital_uses_its_own_profile(tmp_path):
    root = tmp_path / "rulebook"
    shutil.copytree(RULEBOOK_DIR, root)
    (root / "organisations" / "ous.yaml").write_text(
        'name: {nb: "Oslo universitetssykehus HF", en: "Oslo University Hospital"}\n'
        'short_name: "OUS"\n'
        'legal_entity: {nb: "Oslo universitetssykehus HF", en: "Oslo University Hospital HF"}\n'
        'address: "Postboks 4950 Nydalen, 0424 Oslo"\n'
        'contact_email: "forskning@example.org"\n'
        'internal_registration_system: {nb: "OUS sitt prosjektregister", en: "the OUS project register"}\n',
        encoding="utf-8")
    book = load_rulebook(root)
    a = assess({**IN_HOUSE, "ci.study_planned": "yes", "ci.design": "existing_data",
                "ci.data_basis": "anonymous_or_synthetic"}, organisation="ous", book=book)
    decl = a["outcomes"]["conformity"]["public_declaration"]
    assert decl["fields"]["health_institution"] == "Oslo universitetssykehus HF"
    assert "Postboks 4950 Nydalen" in decl["text"]["en"]
    reg = {x["id"]: x for x in a["actions"]}["act.register_internal"]
    assert reg["recipient"] == "the OUS project register" and reg["contact"] == "forskning@example.org"
    # the default profile is SiV
    assert sivreg.rulebook().default_organisation() == "siv"
