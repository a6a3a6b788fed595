"""The only FunctionApp: it builds the app and registers the blueprints, nothing else."""

import azure.functions as func

from functions import (
    deliveries,
    events,
    insights,
    intake,
    lead_import,
    leads,
    ops,
    queues,
    timers,
    ui,
    work,
    workspace_settings,
)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(ops.bp)
app.register_functions(intake.bp)
app.register_functions(leads.bp)
app.register_functions(insights.bp)
app.register_functions(timers.bp)
app.register_functions(queues.bp)
app.register_functions(work.bp)
app.register_functions(workspace_settings.bp)
app.register_functions(ui.bp)
app.register_functions(deliveries.bp)
app.register_functions(lead_import.bp)
app.register_functions(events.bp)
