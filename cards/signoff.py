"""A phase's sign-off on its card: who signed and who must still sign, the Sign off buttons
for the sides missing and the Reopen that withdraws the signatures."""

from __future__ import annotations

from cards.common import Element, View, execute, paragraph, show_card, text_input, user_text
from domain.catalog import Catalog, Track
from domain.engagement import MAX_COMMENT_CHARS, MAX_REASON_CHARS, Engagement, TrackProgress
from domain.profile import Person
from domain.roles import Role, Side, signers_of


def comment_input_id(phase_id: str, side: Side) -> str:
    return f"comment.{phase_id}.{side.value}"


def reopen_input_id(phase_id: str) -> str:
    return f"reopen.{phase_id}"


def people_words(people: tuple[Person, ...], view: View) -> str:
    return view.t("list.separator").join(user_text(p.name or p.id, 40) for p in people)


def signoff_lines(engagement: Engagement, phase: Track, view: View) -> list[str]:
    """One line per side the phase needs: who signed (when, what they said) or who may."""
    lines = []
    signed = engagement.signoffs.get(phase.id, {})
    for side in signers_of(phase.id):
        label = view.t(f"signoff.side.{side.value}")
        signature = signed.get(side)
        if signature is None:
            people = engagement.signers_for(side)
            who = people_words(people, view) if people else view.t("signoff.nobody")
            lines.append(view.t("signoff.waiting", side=label, people=who))
            continue
        name = (
            view.t("signoff.system")
            if signature.by_system
            else user_text(signature.by.name or signature.by.id, 40)
        )
        line = view.t("signoff.signed", side=label, who=name, when=view.moment(signature.at))
        if signature.comment:
            line += " " + view.t("signoff.comment", comment=user_text(signature.comment, 200))
        lines.append(line)
    return lines


def signoff_block(
    engagement: Engagement, phase: Track, view: View, progress: TrackProgress
) -> list[Element]:
    """Shown once every task is settled (or a signature stands): skipped phases need none."""
    signed = engagement.signoffs.get(phase.id, {})
    if phase.kind != "phase" or progress.skipped or not (progress.settled_all or signed):
        return []
    body: list[Element] = []
    if progress.awaiting_signoff:
        body.append(paragraph(view.t("signoff.ready"), color="Accent", weight="Bolder"))
    body.append(
        paragraph("\n".join(f"- {line}" for line in signoff_lines(engagement, phase, view)))
    )
    # Signing waits until every task is settled.
    missing = engagement.missing_signatures(phase.id) if progress.settled_all else []
    buttons = [_sign_button(phase, side, view) for side in missing]
    if signed:
        buttons.append(_reopen_button(phase, view))
    if buttons:
        body.append({"type": "ActionSet", "actions": buttons})
    return body


def _sign_button(phase: Track, side: Side, view: View) -> Element:
    sides = signers_of(phase.id)
    title = (
        view.t("action.sign_off_as", side=view.t(f"signoff.side.{side.value}"))
        if len(sides) > 1
        else view.t("action.sign_off")
    )
    return show_card(
        title,
        [
            text_input(
                comment_input_id(phase.id, side),
                view.t("input.signoff_comment.label"),
                max_length=MAX_COMMENT_CHARS,
                multiline=True,
            )
        ],
        [
            execute(
                view.t("action.confirm_sign_off"),
                "phase.signoff",
                {"phase": phase.id, "side": side.value},
                style="positive",
            )
        ],
    )


def _reopen_button(phase: Track, view: View) -> Element:
    return show_card(
        view.t("action.reopen_phase"),
        [
            text_input(
                reopen_input_id(phase.id),
                view.t("input.reopen_reason.label"),
                max_length=MAX_REASON_CHARS,
                required=True,
                error=view.t("error.reason_required"),
            )
        ],
        [execute(view.t("action.confirm_reopen"), "phase.reopen", {"phase": phase.id})],
    )


def roles_and_awaiting(engagement: Engagement, catalog: Catalog, view: View) -> list[Element]:
    """The overview's lines: the phases awaiting sign-off, then who holds each role."""
    body: list[Element] = []
    awaiting = engagement.awaiting_signoff(catalog)
    if awaiting:
        phases = view.t("list.separator").join(p.name.in_(view.lang) for p in awaiting)
        body.append(paragraph(view.t("overview.awaiting", phases=phases), color="Warning"))
    if engagement.profile is None:
        return body
    facts = [
        {
            "title": view.t(key),
            "value": people_words(engagement.people_in(role), view) or view.t("role.none"),
        }
        for key, role in (
            ("role.manager", Role.MANAGER),
            ("role.deputies", Role.DEPUTY),
            ("role.fasttrack", Role.FASTTRACK),
        )
    ]
    return [*body, {"type": "FactSet", "facts": facts, "spacing": "Small"}]
