// Key Vault in RBAC mode holding the app's one secret, the SendGrid API key. The app never sees the
// vault: App Service resolves the `@Microsoft.KeyVault(...)` app setting with the app's identity.

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@secure()
@description('SendGrid API key; empty stores no secret (the app then writes emails to the outbox container).')
param sendgridApiKey string = ''

var sendgridSecretName = 'sendgrid-api-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  // checkov:skip=CKV_AZURE_109: no virtual network in this deployment: App Service resolves Key Vault references over the public endpoint, which a deny-by-default firewall would block; access is Entra ID RBAC only.
  // checkov:skip=CKV_AZURE_189: same reason as CKV_AZURE_109: the app (no VNet integration) reads the vault over its public endpoint.
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource sendgridSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(sendgridApiKey)) {
  parent: vault
  name: sendgridSecretName
  // checkov:skip=CKV_AZURE_114: false positive: contentType is set below, but checkov does not look inside a conditional (`if`) resource.
  // checkov:skip=CKV_AZURE_41: a SendGrid key has no expiry of its own; a Key Vault expiry date would silently stop email. Keys are rotated by hand (README "Deploy").
  properties: {
    value: sendgridApiKey
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}

output name string = vault.name
// Versionless, so a rotated secret is picked up without changing the app setting.
output sendgridSecretUri string = '${vault.properties.vaultUri}secrets/${sendgridSecretName}'
