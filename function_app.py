"""The only FunctionApp: it builds the app and registers the blueprints, nothing else."""

import azure.functions as func

from functions import ops

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(ops.bp)
