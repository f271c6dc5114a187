"""Small decision tables from guidance, kept beside the code that reads them.

IMDRF significance x situation (IMDRF N12 §5; MDCG 2019-11 rev.1 Annex III, Table 1): the
IMDRF category and the MDR class that MDCG gives as orientation for Rule 11(a). Guidance
only; not an MDR class.
"""
IMDRF_CATEGORY = {
    ("critical", "treat_or_diagnose"): "IV.i", ("critical", "drive"): "III.i", ("critical", "inform"): "II.i",
    ("serious", "treat_or_diagnose"): "III.ii", ("serious", "drive"): "II.ii", ("serious", "inform"): "I.ii",
    ("non_serious", "treat_or_diagnose"): "II.iii", ("non_serious", "drive"): "I.iii", ("non_serious", "inform"): "I.i",
}
IMDRF_TO_MDR = {
    ("critical", "treat_or_diagnose"): "III", ("critical", "drive"): "IIb", ("critical", "inform"): "IIa",
    ("serious", "treat_or_diagnose"): "IIb", ("serious", "drive"): "IIa", ("serious", "inform"): "IIa",
    ("non_serious", "treat_or_diagnose"): "IIa", ("non_serious", "drive"): "IIa", ("non_serious", "inform"): "IIa",
}
