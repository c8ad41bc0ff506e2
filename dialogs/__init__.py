"""The conversations: one module per flow, each registering its card verbs and typed
commands (`routes`), all free of the Bot Framework SDK.

    overview.py   status.show, help       phase.py    phase.*: walkthrough, pages, skip
    task.py       task.*: done / n.a. / reopen, owner, due date, notes, details
    my_tasks.py   mytasks.show            setup.py    setup.*: the form, its draft, the save
    nudges.py     nudge.*: snooze / stop / resume, and the digest run
    welcome.py    installation and removal

`flows.all_flows()` builds the one router (router.py); `commands.py` holds the words people
type; `context.py` what a flow gets and returns; `services.py` the application core.
"""
