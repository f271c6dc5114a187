"""Decision code: one module per provision family. This registry says which function
decides which topic of the output contract, and which functions add obligations and
actions after the topics are decided (in this order)."""
from __future__ import annotations

from . import mdcg_2019_11_qualification as qualification
from . import mdcg_2019_11_regime as regime
from . import classification
from . import pending
from . import ai_act_risk
from . import ai_act_obligations, ai_act_changes, technical_documentation
from . import mdr_conformity, clinical_investigation, mdr_post_market, language_and_documentation

TOPIC_RULES = {
    "qualification": qualification.decide,
    "regime": regime.decide,
    "device_class": classification.decide,
    "conformity": mdr_conformity.decide,
    "clinical_investigation": clinical_investigation.decide,
    "ai_act_risk": ai_act_risk.decide,
}

# Topics decided per module when a project declares modules (MDCG 2019-11 §7).
MODULE_TOPICS = ("qualification", "regime", "device_class")

# (name, function) run after the topics; they add obligations and actions.
CONTRIBUTORS: list = []
CONTRIBUTORS += [("ai_act_obligations", ai_act_obligations.contribute),
                 ("ai_act_changes", ai_act_changes.contribute),
                 ("technical_documentation", technical_documentation.contribute)]
# The road to use (issue 3): conformity/in-house, studies, documentation and language, PMS.
CONTRIBUTORS += [("conformity_steps", mdr_conformity.contribute),
                 ("clinical_steps", clinical_investigation.contribute),
                 ("documentation_steps", language_and_documentation.contribute),
                 ("post_market", mdr_post_market.contribute)]
