"""The arrays a counting kernel writes its stage-by-stage record into.

Kernels never allocate their outputs: the caller passes a :class:`CountLog`'s arrays, sized by
``max_stages``.  Codes below are shared by every kernel and by the result objects.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

# candidate states
CONTINUING = 0
ELECTED = 1
EXCLUDED = 2
WITHDRAWN = 3

# what a stage did
FIRST_PREFERENCES = 0
SURPLUS = 1
EXCLUSION = 2
BULK_EXCLUSION = 3  # several candidates excluded together (ERS97 bulk exclusion, group rule)
ITERATION = 4  # Meek: keep values recomputed after an exclusion or election
ROUND = 5  # IRV / college round
REPLACEMENT = 6  # block vote: an elected candidate gives way to a group member (subject)

# how the stage's subject was chosen when several candidates were tied
TIE_NONE = 0
TIE_HISTORY = 1  # by votes at earlier stages
TIE_LOT = 2  # by lot


# A count's record as the kernels take it (the arrays of :class:`CountLog`, in its order).
StageLog = namedtuple(
    "StageLog",
    [
        "votes",
        "state",
        "exhausted",
        "lost",
        "quota",
        "action",
        "subject",
        "tie",
        "elected",
        "elected_stage",
        "excluded_stage",
        "meta",
    ],
)


@dataclass
class CountLog:
    votes: np.ndarray  # (max_stages, ncand) int64, in the rule's units
    state: np.ndarray  # (max_stages, ncand) int8
    exhausted: np.ndarray  # (max_stages,) int64, cumulative non-transferable value
    lost: np.ndarray  # (max_stages,) int64, cumulative value lost to rounding
    quota: np.ndarray  # (max_stages,) int64, the quota in force at each stage
    action: np.ndarray  # (max_stages,) int8
    subject: np.ndarray  # (max_stages,) int32, candidate transferred/excluded or -1
    tie: np.ndarray  # (max_stages,) int8, how the subject was picked
    elected: np.ndarray  # (ncand,) int32, candidates in order of election
    elected_stage: np.ndarray  # (ncand,) int32, stage at which each candidate was elected
    excluded_stage: np.ndarray  # (ncand,) int32, stage at which each candidate was excluded
    meta: np.ndarray  # (4,) int64: [n_stages, n_elected, valid votes (units), iterations]

    @classmethod
    def allocate(cls, ncand: int, max_stages: int) -> CountLog:
        return cls(
            votes=np.zeros((max_stages, ncand), np.int64),
            state=np.zeros((max_stages, ncand), np.int8),
            exhausted=np.zeros(max_stages, np.int64),
            lost=np.zeros(max_stages, np.int64),
            quota=np.zeros(max_stages, np.int64),
            action=np.zeros(max_stages, np.int8),
            subject=np.full(max_stages, -1, np.int32),
            tie=np.zeros(max_stages, np.int8),
            elected=np.full(ncand, -1, np.int32),
            elected_stage=np.full(ncand, -1, np.int32),
            excluded_stage=np.full(ncand, -1, np.int32),
            meta=np.zeros(4, np.int64),
        )

    def arrays(self):
        """The arrays in the order kernels take them."""
        return StageLog(
            self.votes,
            self.state,
            self.exhausted,
            self.lost,
            self.quota,
            self.action,
            self.subject,
            self.tie,
            self.elected,
            self.elected_stage,
            self.excluded_stage,
            self.meta,
        )

    @property
    def n_stages(self) -> int:
        return int(self.meta[0])

    @property
    def n_elected(self) -> int:
        return int(self.meta[1])
