"""The review of a period (issue 14): what keeps coming back, how fast it was handled, what it cost.

Pure queries over what closing froze (archive records: problem type, handling times, satisfaction,
money paid by kind), the timeline (overdue playbook steps), contacts and claimants (repeat phones,
through the blind index only) and improvement actions. No Flask: the web layer and the PDF call
`service.review(...)`. `period.py` says which cases a period holds, `targets.py` what they are
measured against, `figures.py` and `repeats.py` compute, `history.py` makes the demo's six months.
"""
