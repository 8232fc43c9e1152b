"""Every instrument definition, every version. Add a new version beside the old one; never edit a
version that has been used to score a stored result."""

from __future__ import annotations

from liaison.screening.instruments.catalogue.alcohol import AUDIT, AUDIT_C
from liaison.screening.instruments.catalogue.aq10 import AQ10
from liaison.screening.instruments.catalogue.asq import ASQ
from liaison.screening.instruments.catalogue.bjmhs import BJMHS
from liaison.screening.instruments.catalogue.capture import BISI, HASI, LDSQ
from liaison.screening.instruments.catalogue.crafft import CRAFFT
from liaison.screening.instruments.catalogue.dast import DAST10
from liaison.screening.instruments.catalogue.gad import GAD2, GAD7
from liaison.screening.instruments.catalogue.kessler import K6, K10
from liaison.screening.instruments.catalogue.phq import PHQ2, PHQ9
from liaison.screening.instruments.catalogue.tbi import OSU_TBI_ID
from liaison.screening.instruments.model import Definition

# In the order the pages offer them: mood, anxiety, distress, custody, alcohol, drugs, suicide,
# youth substance use, autism, brain injury, then the result-capture forms.
DEFINITIONS: tuple[Definition, ...] = (
    PHQ9,
    PHQ2,
    GAD7,
    GAD2,
    K10,
    K6,
    BJMHS,
    AUDIT,
    AUDIT_C,
    DAST10,
    ASQ,
    CRAFFT,
    AQ10,
    OSU_TBI_ID,
    LDSQ,
    HASI,
    BISI,
)
