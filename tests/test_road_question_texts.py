"""The questions a clinician answers must carry the law they stand for, or a literal answer
gives the wrong result."""
import sivreg


def _q(qid):
    return sivreg.rulebook().questions[qid]


def _texts(q):
    return {lang: (q.label[lang] + " " + q.help[lang]).lower() for lang in ("nb", "en")}


def test_medical_purpose_names_every_purpose_of_mdr_article_2_1():
    # MDR Art 2(1): a contraception or fertility app is a device ("control or support of
    # conception"), and so is software compensating for a disability (symbol-to-speech).
    t = _texts(_q("qual.medical_purpose"))
    for word in ("gravid", "kompensasjon", "anatomien", "in vitro", "prevensjon"):
        assert word in t["nb"], word
    for word in ("conception", "compensation", "anatomy", "in vitro", "prediction"):
        assert word in t["en"], word


def test_action_on_data_help_names_the_communication_examples():
    # MDCG 2019-11 Annex I d) and f.5: dictation and viewing only are not actions on data
    t = _texts(_q("qual.action_on_data"))
    assert "tale til tekst" in t["nb"] and "speech-to-text" in t["en"]
    assert "kosmetiske" in t["nb"] and "cosmetic" in t["en"]


def test_rule_11_help_points_fertility_apps_to_class_i():
    # MDCG 2019-11 Annex IV: the conception-support fertility app is Rule 11(c), class I
    for qid in ("mdr.r11_decisions", "mdr.r11_monitoring"):
        t = _texts(_q(qid))
        assert "klasse i " in t["nb"] and "class i " in t["en"], qid
