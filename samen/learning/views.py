"""Pages of peer learning. Views parse and delegate to actions and selectors."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.models import Person
from samen.core.permissions import role_required
from samen.core.roles import Role
from samen.learning import actions, selectors
from samen.learning.forms import CourseForm, FeedbackForm, MaterialForm, SessionForm
from samen.learning.ics import Invitation, to_ics
from samen.learning.models import Course, Level, RsvpStatus, Session


@role_required()
def sessions(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/sessions.html", {
        "upcoming": selectors.upcoming_sessions(), "past": selectors.past_sessions()[:20],
    })


@role_required()
def session_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = actions.do_propose_session(
                    host=request.user,  # type: ignore[arg-type]
                    data=actions.SessionData(**form.cleaned_data))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your session is proposed. Thank you for sharing "
                                            "what you know!"))
                return redirect("learning:session", pk=session.pk)
    else:
        start = (timezone.localtime() + timedelta(days=7)).replace(hour=12, minute=0, second=0,
                                                                   microsecond=0)
        form = SessionForm(initial={"starts_at": start, "ends_at": start + timedelta(hours=1)})
    return render(request, "learning/session_new.html", {"form": form})


@role_required()
def session(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    obj = get_object_or_404(Session, pk=pk)
    material_form = MaterialForm()
    feedback_form = FeedbackForm()
    if request.method == "POST":
        what = request.POST.get("action", "")
        try:
            if what == "rsvp":
                taken = actions.do_rsvp(person=person, session=obj)
                if taken.status == RsvpStatus.GOING:
                    messages.success(request, _("You have a place. Add it to your calendar!"))
                else:
                    messages.info(request, _("The session is full: you are on the waiting "
                                             "list and will get a place if one frees up."))
                return redirect("learning:session", pk=obj.pk)
            if what == "cancel":
                actions.do_cancel_rsvp(person=person, session=obj)
                messages.success(request, _("Your place is given up."))
                return redirect("learning:session", pk=obj.pk)
            if what == "material":
                material_form = MaterialForm(request.POST)
                if material_form.is_valid():
                    actions.do_add_material(session=obj, by=person, **material_form.cleaned_data)
                    messages.success(request, _("The material is added."))
                    return redirect("learning:session", pk=obj.pk)
            if what == "feedback":
                feedback_form = FeedbackForm(request.POST)
                if feedback_form.is_valid():
                    actions.do_give_feedback(session=obj, person=person,
                                             **feedback_form.cleaned_data)
                    messages.success(request, _("Thank you for your feedback."))
                    return redirect("learning:session", pk=obj.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("learning:session", pk=obj.pk)
    detail = selectors.session_detail(obj.pk)
    rsvp = selectors.rsvp_of(person=person, session=obj)
    is_host = detail.host_id == person.pk
    return render(request, "learning/session.html", {
        "session": detail, "rsvp": rsvp, "is_host": is_host,
        "position": selectors.waiting_position(rsvp) if rsvp and rsvp.status == "waiting"
        else None,
        "full": detail.going >= detail.capacity,  # type: ignore[attr-defined]
        "material_form": material_form, "feedback_form": feedback_form,
        "feedback": selectors.feedback_summary(detail),
        "can_feedback": detail.is_past and rsvp is not None and rsvp.status == "going",
    })


@role_required()
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Session.objects.select_related("host"), pk=pk)
    page = request.build_absolute_uri(reverse("learning:session", args=[obj.pk]))
    body = to_ics(Invitation(
        uid=f"{obj.uid}@samen", summary=obj.topic, description=obj.description,
        starts_at=obj.starts_at, ends_at=obj.ends_at, location=obj.place or obj.video_url,
        url=obj.video_url or page, organizer_name=str(obj.host),
        organizer_email=obj.host.email, stamp=timezone.now(),
    ))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="samen-session-{obj.pk}.ics"'
    return response


@role_required()
def courses(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    can_add = person.has_role(Role.COMMS_LEAD, Role.TEAM)
    form = CourseForm()
    if request.method == "POST":
        if request.POST.get("action") == "add" and can_add:
            form = CourseForm(request.POST)
            if form.is_valid():
                actions.do_add_course(by=person, **form.cleaned_data)
                messages.success(request, _("The course is in the library."))
                return redirect("learning:courses")
        elif request.POST.get("action") == "done":
            course = get_object_or_404(Course, pk=request.POST.get("course"))
            actions.do_set_course_done(person=person, course=course,
                                       done=request.POST.get("done") == "1")
            return redirect(request.get_full_path())
    network = request.GET.get("network", "")
    level = request.GET.get("level", "")
    done = selectors.done_course_ids(person)
    return render(request, "learning/courses.html", {
        "courses": [(c, c.pk in done) for c in selectors.courses(network=network, level=level)],
        "networks": selectors.course_networks(), "levels": Level.choices,
        "network": network, "level": level, "form": form, "can_add": can_add,
        "done_count": len(done),
    })


@role_required(Role.MANAGER, Role.COMMS_LEAD)
def champions(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/champions.html", {
        "champions": selectors.champions(), "held": selectors.past_sessions()[:30],
    })
