"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.challenges import api

urlpatterns = [
    path("challenges/", method_route(get=api.ChallengeListApi, post=api.ChallengeCreateApi), name="challenges"),
    path(
        "challenges/<int:pk>/",
        method_route(get=api.ChallengeDetailApi, patch=api.ChallengeUpdateApi),
        name="challenge",
    ),
    *api.CHALLENGE_STEP_ROUTES,
    path("challenges/<int:pk>/shortlist", api.ChallengeShortlistApi.as_view(), name="challenge-shortlist"),
    path("challenges/<int:pk>/award", api.ChallengeAwardApi.as_view(), name="challenge-award"),
    path(
        "challenges/<int:pk>/questions/",
        method_route(get=api.QuestionListApi, post=api.QuestionAskApi),
        name="challenge-questions",
    ),
    path(
        "challenges/<int:pk>/questions/<int:question_pk>/answer",
        api.QuestionAnswerApi.as_view(),
        name="challenge-question-answer",
    ),
    path(
        "challenges/<int:pk>/proposals/",
        method_route(get=api.ProposalInboxApi, post=api.ProposalCreateApi),
        name="challenge-proposals",
    ),
    path("challenge-proposals/", api.ProposalMineApi.as_view(), name="challenge-proposals-mine"),
    path(
        "challenge-proposals/<int:pk>/",
        method_route(get=api.ProposalDetailApi, patch=api.ProposalUpdateApi),
        name="challenge-proposal",
    ),
    *api.PROPOSAL_STEP_ROUTES,
    path(
        "challenge-proposals/<int:pk>/attachment",
        api.ProposalAttachmentApi.as_view(),
        name="challenge-proposal-attachment",
    ),
]
