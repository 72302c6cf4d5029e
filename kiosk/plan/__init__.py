"""Plan against actual: each station's planned units for a day (entered, imported or derived from due
dates and routes), spread over the shift's hours, against what the station moved (计划达成率).

plans.py is the domain (plain Python over the models); views.py the clerk's plan page.
"""
