// One `azd up` deploys the partner-leads function app, secure by default: Flex Consumption (Linux,
// Python), one user-assigned identity for every connection, storage without shared keys, the
// SendGrid key in Key Vault, Application Insights on Log Analytics. README "Deploy" explains the
// parameters; tests/unit/test_infra.py keeps the app settings below in step with the code.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Entra ID tenant that issues the bearer tokens; empty means the tenant of this deployment.')
param authTenantId string = ''

@minLength(1)
@description('Expected `aud` of bearer tokens: the client id (a GUID) of the API\'s app registration, as Entra ID v2.0 access tokens carry it.')
param authAudience string

@description('Expected `iss` of bearer tokens; empty means https://login.microsoftonline.com/<tenant>/v2.0.')
param authIssuer string = ''

@description('JWKS endpoint of the token issuer; empty means https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys.')
param authJwksUrl string = ''

@minLength(1)
@description('Origin of the partner UI allowed by CORS, e.g. https://partners.example.com (no path, no trailing slash).')
param partnerUiOrigin string

@description('Sender address of notification emails; required with a SendGrid key.')
param emailFrom string = ''

@description('Told when a marketplace lead expires without a response (a staff referral tells its sender); empty: nobody.')
param vendorNotificationEmail string = ''

@description('Base of the lead links in emails (<base>/leads/<leadId>); empty means the UI this app serves, https://<host>/api/ui.')
param partnerUiBaseUrl string = ''

@description('Application (client) ID of the partner UI\'s SPA app registration (Entra ID sign-in through MSAL); empty: the UI offers no sign-in.')
param uiClientId string = ''

@description('Space-separated scopes the partner UI asks tokens for; empty means api://<authAudience>/access_as_user.')
param uiScopes string = ''

@secure()
@description('SendGrid API key, stored in Key Vault; empty: emails are written to the blob container `outbox` instead.')
param sendgridApiKey string = ''

@description('Signs list continuation tokens (HMAC). A new one each deployment only ends paging through lists that were open.')
// checkov:skip=CKV_AZURE_131: newGuid() is generated at each deployment, not a hard-coded secret
@secure()
param pagingTokenSecret string = newGuid()

@description('Fernet keys (url-safe base64 of 32 bytes, space-separated, newest first) that seal the webhook signing secrets in storage. Keep them: a removed key makes its subscriptions unusable.')
@secure()
param webhookSecretKeys string = ''

@description('Base of the intake URLs handed to partners; empty means https://<the app\'s default host name>.')
param publicBaseUrl string = ''

@minLength(3)
@description('Email address the alerts go to (the on-call person or team): poison messages, quarantined deliveries, failed notifications, intake 5xx, disabled webhooks, failing health. docs/operations.md says what to do for each.')
param alertEmail string

@description('Storage replication (the tables are the system of record).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_GRS'

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// The Python the tests run on (tests/unit/test_infra.py compares it with the test interpreter).
var pythonVersion = '3.11'

// Created up front so the first request does not pay for it; the app and the host also create
// missing ones on demand. Each queue comes with the `-poison` queue the host moves failures to.
var tableNames = [
  'Partners'
  'Leads'
  'Deliveries'
  'WebhookSubscriptions'
  'WebhookDeliveries'
]
var queueNames = [
  'notifications'
  'notifications-poison'
  'work'
  'work-poison'
  'deliveries'
  'deliveries-poison'
  'webhook-deliveries'
  'webhook-deliveries-poison'
]

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var tenantId = empty(authTenantId) ? tenant().tenantId : authTenantId
var entraId = '${environment().authentication.loginEndpoint}${tenantId}' // https://login.microsoftonline.com/<tenant>
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    tableNames: tableNames
    queueNames: queueNames
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    sendgridApiKey: sendgridApiKey
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

// ---------------------------------------------------------------------------------------------
// App settings: every one the app reads (shared/config.py `Settings`, by environment name) and
// the few the Functions host reads, one `NAME: value` line each. Adding a setting to Settings
// means adding its line here; tests/unit/test_infra.py fails until both agree. Not set on
// purpose: AzureWebJobsStorage (a connection string: identity-based storage instead),
// AUTH_PUBLIC_KEY (AUTH_JWKS_URL instead) and WEBSITE_HOSTNAME (set by the platform).
// ---------------------------------------------------------------------------------------------
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  PYTHON_ENABLE_INIT_INDEXING: '1'
  // With host.json "telemetryMode": "OpenTelemetry": the Python worker configures the Azure Monitor
  // distro and attaches each invocation's trace context (shared/adapters/telemetry.py keeps that
  // pipeline). Not PYTHON_ENABLE_OPENTELEMETRY alone: that leaves the worker without a propagator.
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'true'
  STORAGE_PREFIX: ''
  AUTH_ISSUER: empty(authIssuer) ? '${entraId}/v2.0' : authIssuer
  AUTH_AUDIENCE: authAudience
  AUTH_JWKS_URL: empty(authJwksUrl) ? '${entraId}/discovery/v2.0/keys' : authJwksUrl
  NOTIFICATIONS_QUEUE: 'notifications'
  RELAY_OUTBOX_SCHEDULE: '0 */5 * * * *'
  DELIVERIES_QUEUE: 'deliveries'
  RELAY_DELIVERIES_SCHEDULE: '30 * * * * *'
  WORK_QUEUE: 'work'
  EXPIRE_LEADS_SCHEDULE: '0 */15 * * * *'
  ARCHIVE_INFORMATIONAL_SCHEDULE: '0 30 2 * * *'
  SEND_DIGESTS_SCHEDULE: '0 1 * * * *'
  REMIND_EXPIRING_SCHEDULE: '0 5 * * * *'
  ESCALATE_STALE_LEADS_SCHEDULE: '0 10,40 * * * *'
  WEBHOOK_DELIVERIES_QUEUE: 'webhook-deliveries'
  DISPATCH_WEBHOOKS_SCHEDULE: '*/5 * * * * *'
  WEBHOOK_TARGETS: 'public'
  WEBHOOK_TIMEOUT_SECONDS: '15'
  WEBHOOK_SECRET_KEYS: webhookSecretKeys
  WATCH_QUEUES_SCHEDULE: '15 */5 * * * *'
  PAGING_TOKEN_SECRET: pagingTokenSecret
  SENDGRID_API_KEY: empty(sendgridApiKey) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.sendgridSecretUri})'
  SENDGRID_API_HOST: 'https://api.sendgrid.com'
  EMAIL_FROM: emailFrom
  SENDGRID_TIMEOUT_SECONDS: '10'
  VENDOR_NOTIFICATION_EMAIL: vendorNotificationEmail
  MARKETPLACE_URL: 'https://appsource.microsoft.com/marketplace/partner-dir'
  PARTNER_UI_BASE_URL: partnerUiBaseUrl
  UI_CLIENT_ID: uiClientId
  UI_AUTHORITY: entraId
  UI_SCOPES: empty(uiScopes) ? 'api://${authAudience}/access_as_user' : uiScopes
  DEV_SIGN_IN_ENABLED: 'false'
  QUEUE_MAX_DEQUEUE_COUNT: '5'
  QUEUE_RETRY_BASE_SECONDS: '30'
  QUEUE_RETRY_MAX_SECONDS: '3600'
  QUEUE_RETRY_GIVE_UP_HOURS: '24'
  SEND_LEASE_SECONDS: '60'
  PUBLIC_BASE_URL: publicBaseUrl
  INTAKE_MAX_BODY_BYTES: '65536'
  MAX_BODY_BYTES: '262144'
  RESPOND_WINDOW_DAYS: '14'
  HOT_WINDOW_HOURS: '72'
  INFORMATIONAL_RETENTION_MONTHS: '6'
  DIGEST_THRESHOLD: '10'
  REMINDER_HOURS: '48'
  EVENT_WRITE_DEADLINE_SECONDS: '10'
  EVENT_FEED_SETTLE_SECONDS: '60'
  EVENT_RETENTION_DAYS: '30'
}

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api' // azure.yaml's service: azd deploys to the site tagged with it
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    pythonVersion: pythonVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    allowedOrigins: [
      partnerUiOrigin
    ]
    appSettings: appSettings
  }
  // The identity must hold its roles before the host starts: storage for the host itself and the
  // deployment package, Key Vault for the SENDGRID_API_KEY reference.
  dependsOn: [
    roles
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    alertEmail: alertEmail
    healthUrl: '${app.outputs.uri}/api/health'
    namePrefix: 'alert-${resourceToken}'
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output SERVICE_API_NAME string = app.outputs.name
output SERVICE_API_URI string = app.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName
