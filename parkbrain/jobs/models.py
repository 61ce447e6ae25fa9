"""Work longer than a request: each run of a job, who started it, how far it has come and
how it ended. The queue itself is django-tasks' database backend; this is what people see."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parkbrain.registry.models import ApiToken, Enterprise, Zone

from .choices import FINISHED, JobState


class Job(models.Model):
    """One run of a job kind (e.g. importing an uploaded file), started by a person or a
    machine token. Progress is `done` of `total` steps in the job's own unit (rows, months)."""

    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
        help_text=_("Set when the job works on one enterprise's data."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API token"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    payload = models.BinaryField(
        _("input"), null=True, blank=True, help_text=_("An uploaded file, kept until the job ends.")
    )
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.CharField(_("what went wrong"), max_length=1000, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_starter_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0),
                name="job_done_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int | None:
        if self.state == JobState.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else None
