from django.urls import path

from techtransfer.challenges import views

app_name = "challenges"
urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("new/", views.challenge_new, name="new"),
    path("ours/", views.our_challenges, name="ours"),
    path("review/", views.review_queue, name="review_queue"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/attachment/", views.proposal_attachment, name="proposal_attachment"),
    path("<int:pk>/", views.challenge_detail, name="detail"),
    path("<int:pk>/edit/", views.challenge_edit, name="edit"),
    path("<int:pk>/questions/", views.question_ask, name="ask"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views.question_answer, name="answer"),
    path("<int:pk>/propose/", views.proposal_new, name="propose"),
    path("<int:pk>/proposals/", views.proposal_inbox, name="inbox"),
    path("<int:pk>/shortlist/", views.proposals_shortlist, name="shortlist"),
    path("<int:pk>/award/", views.challenge_award, name="award"),
]
