// The function app on a Flex Consumption plan (Linux). Its app settings come in from main.bicep,
// the one place that lists them; this module only hosts them.

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan and the app.')
param tags object

@description('azure.yaml service deployed to this app: tags the site (and only the site) for azd.')
param serviceName string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('URL of the blob container that receives the deployment package.')
param deploymentContainerUrl string

@description('Python version: the one the tests run on.')
param pythonVersion string

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Browser origins allowed to call the API (the partner UI).')
param allowedOrigins array

@description('App settings, name to value: built in main.bicep.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  // checkov:skip=CKV_AZURE_225: zone redundancy for Flex Consumption is offered in some regions only (and wants zone-redundant storage); the default must deploy in every Flex region. Set `zoneRedundant: true` here where the region offers it.
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// App Service Authentication (Easy Auth) stays off on purpose: the marketplace webhook cannot
// authenticate (its secret is the intake key in the URL) and the app verifies Entra ID bearer
// tokens itself (docs/http-contract.md), never trusting X-MS-CLIENT-PRINCIPAL.
resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  // checkov:skip=CKV_AZURE_212: instance counts do not apply to Flex Consumption: it scales out per event from zero (`numberOfWorkers` is an App Service plan setting); `maximumInstanceCount` caps it.
  // checkov:skip=CKV_AZURE_213: no platform health check: GET /api/health reports storage reachability, so during a storage outage the platform would take every instance out of rotation at once; point an availability test at it instead (README "Deploy").
  // checkov:skip=CKV_AZURE_17: client certificates cannot be required: the marketplace lead webhook and browsers do not present one.
  // checkov:skip=CKV_AZURE_222: the API is public by design (marketplace webhook, partner UI); no virtual network or private endpoint in this deployment.
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: false
      }
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: pythonVersion
      }
    }
  }
}

// Deployments go through azd with Entra ID: no FTP or SCM (Kudu) username/password at all.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
