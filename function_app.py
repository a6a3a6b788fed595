"""The only FunctionApp: it builds the app and registers the blueprints, nothing else."""

import azure.functions as func

from functions import intake, leads, ops, timers

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(ops.bp)
app.register_functions(intake.bp)
app.register_functions(leads.bp)
app.register_functions(timers.bp)
